package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidRowExceptionTest {
  @Test
  void theValueIsShownEscapedSoThatALoneSurrogateOrAControlCharacterIsVisible() {
    InvalidRowException e = new InvalidRowException("trips", "driver", "a\uD800b\nc\uD83D\uDE00", "a reason");

    assertThat(e).hasMessage("invalid row for feature set 'trips': column 'driver' value 'a\\uD800b\\u000Ac\uD83D\uDE00' "
        + "(String): a reason");
    assertThat(e.value()).contains("a\uD800b\nc\uD83D\uDE00");
  }

  @Test
  void anInvalidKeyNamesTheFeatureSetTheKeyAndTheKeyColumnsWithTheirTypes() {
    List<Field> keys = List.of(new Field("city", FieldType.STRING), new Field("id", FieldType.LONG));
    InvalidKeyException e = new InvalidKeyException("trips", EntityKey.of("\uDC00", "7"), keys, "id", "7",
        "part 2 is a String");

    assertThat(e).isInstanceOf(InvalidRowException.class)
        .hasMessage("invalid key ['\\uDC00' (String), '7' (String)] for feature set 'trips' (key columns "
            + "(city STRING, id LONG)): part 2 is a String");
    assertThat(e.featureSet()).isEqualTo("trips");
    assertThat(e.column()).isEqualTo("id");
  }
}
