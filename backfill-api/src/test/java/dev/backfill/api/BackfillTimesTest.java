package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackfillTimesTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2024-03-05          | 2024-03-05T00:00:00Z",
      "2024-03-05T07:08:09 | 2024-03-05T07:08:09Z",
      "2024-03-05 07:08:09 | 2024-03-05T07:08:09Z",
      "2024-02-29          | 2024-02-29T00:00:00Z",
      "1970-01-01 00:00:00 | 1970-01-01T00:00:00Z",
      "2001-12-31T23:59:59 | 2001-12-31T23:59:59Z"})
  void parsesTheThreeFormsAsUtc(String text, String expected) {
    assertThat(BackfillTimes.parse(text)).isEqualTo(Instant.parse(expected));
  }

  @Test
  void theJvmDefaultZoneDoesNotShiftTheResult() {
    // A zone far from UTC would expose a parse that goes through the system default zone.
    TimeZone original = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
      assertThat(BackfillTimes.parse("2024-03-05")).isEqualTo(Instant.parse("2024-03-05T00:00:00Z"));
      assertThat(BackfillTimes.parse("2024-03-05 07:08:09")).isEqualTo(Instant.parse("2024-03-05T07:08:09Z"));
    } finally {
      TimeZone.setDefault(original);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2024-13-01", "2024-02-30", "2023-02-29", "yesterday", "2024-01-01T00:00", "",
      "2024-01-01T00:00:00Z", "2024-01-01T24:00:00", "2024/01/01", "2024-01-01X00:00:00", "2024-01-01T00:00:00.000"})
  void rejectsOtherTextsNamingTheTextAndTheAcceptedForms(String text) {
    assertThatThrownBy(() -> BackfillTimes.parse(text))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("yyyy-MM-dd,")
        .hasMessageContaining("yyyy-MM-dd'T'HH:mm:ss")
        .hasMessageContaining("yyyy-MM-dd HH:mm:ss");
  }

  @Test
  void rejectsNullListingTheAcceptedForms() {
    assertThatThrownBy(() -> BackfillTimes.parse(null))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("yyyy-MM-dd,")
        .hasMessageContaining("yyyy-MM-dd'T'HH:mm:ss")
        .hasMessageContaining("yyyy-MM-dd HH:mm:ss");
  }

  @Test
  void theSupportedRangeRunsFromYearOneToTheEndOfYear9999() {
    assertThat(BackfillTimes.SUPPORTED_START).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    assertThat(BackfillTimes.SUPPORTED_STOP).isEqualTo(Instant.parse("+10000-01-01T00:00:00Z"));
    assertThat(BackfillTimes.SUPPORTED_RANGE).isEqualTo(TimeRange.all().toString().replace("+", ""));
    assertThat(BackfillTimes.isSupported(BackfillTimes.SUPPORTED_START)).isTrue();
    assertThat(BackfillTimes.isSupported(Instant.parse("9999-12-31T23:59:59.999999Z"))).isTrue();
    assertThat(BackfillTimes.isSupported(BackfillTimes.SUPPORTED_START.minusNanos(1000))).isFalse();
    assertThat(BackfillTimes.isSupported(BackfillTimes.SUPPORTED_STOP)).isFalse();
    assertThat(BackfillTimes.isSupported(TimeRange.all())).isTrue();
    assertThat(BackfillTimes.isSupported(TimeRange.of(Instant.MIN, Instant.EPOCH))).isFalse();
    assertThat(BackfillTimes.isSupported(TimeRange.of(Instant.EPOCH, Instant.MAX))).isFalse();
  }

  @Test
  void theFirstAndLastDaysParseAndYearZeroIsRefusedNamingTheRange() {
    assertThat(BackfillTimes.parse("0001-01-01")).isEqualTo(BackfillTimes.SUPPORTED_START);
    assertThat(BackfillTimes.parse("9999-12-31 23:59:59")).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    assertThatThrownBy(() -> BackfillTimes.parse("0000-12-31"))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessage("time '0000-12-31' is outside the supported range [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2024-03-05T00:00:00Z           | 2024-03-05T00:00:00Z",
      "2024-03-05T00:00:00.000001Z    | 2024-03-05T00:00:00.000001Z",
      "2024-03-05T00:00:00.000000500Z | 2024-03-05T00:00:00.000001Z",
      "2024-03-05T00:00:00.000000001Z | 2024-03-05T00:00:00.000001Z",
      "2024-03-05T00:00:00.999999999Z | 2024-03-05T00:00:01Z",
      "1969-12-31T23:59:59.999999500Z | 1970-01-01T00:00:00Z",
      "0001-01-01T00:00:00.000000001Z | 0001-01-01T00:00:00.000001Z",
      "9999-12-31T23:59:59.999999001Z | +10000-01-01T00:00:00Z"})
  void boundsRoundUpToTheNextWholeMicrosecond(String given, String expected) {
    assertThat(BackfillTimes.roundUpToMicros(Instant.parse(given))).isEqualTo(Instant.parse(expected));
  }

  @Test
  void roundingLeavesInstantsBeyondTheRangeAlone() {
    assertThat(BackfillTimes.roundUpToMicros(Instant.MAX)).isEqualTo(Instant.MAX);
  }
}
