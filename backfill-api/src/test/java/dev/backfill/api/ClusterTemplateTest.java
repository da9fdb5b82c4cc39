package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterTemplateTest {

  @ParameterizedTest
  @CsvSource({"small, SMALL, 2", "Medium, MEDIUM, 4", "LARGE, LARGE, 8", "xLarge, XLARGE, 16"})
  void parsesCaseInsensitivelyWithItsParallelism(String text, ClusterTemplate expected, int parallelism) {
    ClusterTemplate parsed = ClusterTemplate.parse(text);

    assertThat(parsed).isEqualTo(expected);
    assertThat(parsed.parallelism()).isEqualTo(parallelism);
  }

  @ParameterizedTest
  @ValueSource(strings = {"huge", "", "X-LARGE", "smal"})
  void unknownTemplateListsTheValidOnes(String text) {
    assertThatThrownBy(() -> ClusterTemplate.parse(text))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'" + text + "'");
    unknownOrMissingTemplateListsTheValidOnes(text);
  }

  @ParameterizedTest
  @NullSource
  void aMissingTemplateListsTheValidOnesAsFieldTypeAndTimesDo(String text) {
    // Issue 17 point 13: FieldType.parse(null) threw a bare NullPointerException, this an "unknown 'null'".
    assertThatThrownBy(() -> ClusterTemplate.parse(text)).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageStartingWith("missing cluster template; valid templates: SMALL");
    assertThatThrownBy(() -> FieldType.parse(text)).isInstanceOf(InvalidFeatureSetException.class)
        .hasMessage("missing field type; valid types: string, long, double, boolean, timestamp");
    assertThatThrownBy(() -> BackfillTimes.parse(text)).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageStartingWith("missing time; expected");
    unknownOrMissingTemplateListsTheValidOnes(text);
  }

  private static void unknownOrMissingTemplateListsTheValidOnes(String text) {
    assertThatThrownBy(() -> ClusterTemplate.parse(text))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("SMALL")
        .hasMessageContaining("MEDIUM")
        .hasMessageContaining("LARGE")
        .hasMessageContaining("XLARGE");
  }
}
