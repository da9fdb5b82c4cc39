package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SlicePlannerTest {
  private static final Instant JAN_1 = Instant.parse("2024-01-01T00:00:00Z");
  private static final int[] PARALLELISMS = {1, 2, 4, 8, 16};

  private static TimeRange range(Instant start, Duration length) {
    return TimeRange.of(start, start.plus(length));
  }

  private static TimeRange range(String start, String stop) {
    return TimeRange.of(Instant.parse(start), Instant.parse(stop));
  }

  static Stream<Arguments> ranges() {
    List<TimeRange> ranges = List.of(
        range(JAN_1, Duration.ofSeconds(1)),
        range(JAN_1, Duration.ofMillis(250)),
        range(JAN_1.plusNanos(123_456_789), Duration.ofMinutes(47).plusNanos(5)),
        range(JAN_1, Duration.ofMinutes(90)),
        range(JAN_1, Duration.ofDays(1)),
        range(JAN_1, Duration.ofDays(60)),
        range("2000-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        range(Instant.parse("2024-01-01T00:00:07Z"), Duration.ofDays(3).plusSeconds(13)),
        range(Instant.parse("2024-01-01T00:00:07Z"), Duration.ofDays(400)),
        range(Instant.EPOCH, Duration.ofHours(5)),
        range(Instant.EPOCH.minusSeconds(7), Duration.ofMinutes(90)),
        range(Instant.EPOCH.minus(Duration.ofDays(45)), Duration.ofDays(90)),
        range("1000-01-01T00:00:00Z", "1000-03-01T00:00:00Z"),
        range("1000-06-15T12:34:56Z", "1030-01-01T00:00:00Z"),
        range("1000-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
        range("9999-12-28T00:00:00Z", "+10000-01-01T00:00:00Z"),
        range("0001-01-01T00:00:00Z", "0001-01-04T00:00:00.000001Z"),
        range("0001-01-01T00:00:00Z", "2026-11-25T00:48:04Z"),
        TimeRange.all());
    List<Arguments> arguments = new ArrayList<>();
    for (TimeRange range : ranges) {
      for (int parallelism : PARALLELISMS) {
        arguments.add(Arguments.of(range, parallelism));
      }
    }
    return arguments.stream();
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("ranges")
  void slicesAreContiguousCoverTheRangeAndAreBounded(TimeRange range, int parallelism) {
    List<TimeRange> slices = SlicePlanner.slices(range, parallelism);

    assertThat(slices).isNotEmpty();
    assertThat(slices.get(0).start()).isEqualTo(range.start());
    assertThat(slices.get(slices.size() - 1).stop()).isEqualTo(range.stop());
    for (int i = 1; i < slices.size(); i++) {
      assertThat(slices.get(i).start()).as("start of slice %d", i).isEqualTo(slices.get(i - 1).stop());
    }
    assertThat(slices.size()).isLessThanOrEqualTo(Math.max(16, 8 * parallelism));
  }

  @Test
  void sixtyDaysForTwoWorkersBreakAtWeekBoundariesAtUtcMidnight() {
    List<TimeRange> slices = SlicePlanner.slices(range(JAN_1, Duration.ofDays(60)), 2);

    // Seven-day steps from the epoch: enough slices (9) to keep two workers busy and balanced.
    assertThat(slices).hasSizeBetween(8, 16);
    assertThat(innerBoundaries(slices)).isNotEmpty().allSatisfy(boundary -> {
      assertThat(boundary.atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(java.time.LocalTime.MIDNIGHT);
      assertThat(Math.floorMod(boundary.getEpochSecond(), Duration.ofDays(7).getSeconds())).isZero();
    });
  }

  @Test
  void twoYearsForTwoWorkersBreakAtMonthStarts() {
    List<TimeRange> slices = SlicePlanner.slices(range(JAN_1, Duration.ofDays(400)), 2);

    assertThat(innerBoundaries(slices)).isNotEmpty().allSatisfy(boundary -> {
      ZonedDateTime utc = boundary.atZone(ZoneOffset.UTC);
      assertThat(utc.toLocalTime()).isEqualTo(java.time.LocalTime.MIDNIGHT);
      assertThat(utc.getDayOfMonth()).isEqualTo(1);
    });
  }

  @Test
  void aMonthInsideOneCalendarMonthStillGetsSeveralSlices() {
    assertThat(SlicePlanner.slices(range(JAN_1, Duration.ofDays(25)), 2)).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void anOddStartKeepsInnerBoundariesRound() {
    // Only the first slice absorbs the odd seven seconds; workers still see round slices after it.
    Instant oddStart = Instant.parse("2024-01-01T00:00:07Z");
    List<TimeRange> slices = SlicePlanner.slices(range(oddStart, Duration.ofDays(3)), 2);

    assertThat(slices.size()).isGreaterThan(1);
    assertThat(innerBoundaries(slices)).allSatisfy(boundary ->
        assertThat(boundary.truncatedTo(ChronoUnit.HOURS)).isEqualTo(boundary));
  }

  @Test
  void ninetyMinutesBreakOnQuarterHours() {
    List<TimeRange> slices = SlicePlanner.slices(range(JAN_1.plusSeconds(7), Duration.ofMinutes(90)), 2);

    assertThat(innerBoundaries(slices)).isNotEmpty().allSatisfy(boundary ->
        assertThat(boundary.getEpochSecond() % (15 * 60)).isZero());
  }

  @Test
  void rangesBeforeTheEpochAndInYearOneThousandBreakOnRoundTimes() {
    // Negative epoch seconds must round down (floor), not toward zero.
    List<TimeRange> nearEpoch = SlicePlanner.slices(range(Instant.EPOCH.minusSeconds(7), Duration.ofHours(3)), 2);
    List<TimeRange> year1000 = SlicePlanner.slices(range("1000-06-15T12:34:56Z", "1000-08-20T00:00:00Z"), 2);

    assertThat(innerBoundaries(nearEpoch)).isNotEmpty().allSatisfy(boundary ->
        assertThat(boundary.truncatedTo(ChronoUnit.MINUTES)).isEqualTo(boundary));
    assertThat(innerBoundaries(nearEpoch)).contains(Instant.EPOCH);
    assertThat(innerBoundaries(year1000)).isNotEmpty().allSatisfy(boundary ->
        assertThat(boundary.atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(java.time.LocalTime.MIDNIGHT));
  }

  @Test
  void usesTheFinestGranularityWithinTheBound() {
    // One day for two workers (at most 16 slices): hours would give 24, six hours give 4.
    assertThat(SlicePlanner.slices(range(JAN_1, Duration.ofDays(1)), 2)).hasSize(4);
    // One day for sixteen workers (at most 128 slices): quarter hours give 96.
    assertThat(SlicePlanner.slices(range(JAN_1, Duration.ofDays(1)), 16)).hasSize(96);
  }

  @Test
  void aRangeTooLongForWholeYearsBreaksOnDecades() {
    // It used to be split evenly into 16 slices whose boundaries fell on no round time.
    List<TimeRange> slices = SlicePlanner.slices(range("2000-01-01T00:00:00Z", "2025-01-01T00:00:00Z"), 2);

    assertThat(innerBoundaries(slices)).containsExactly(Instant.parse("2010-01-01T00:00:00Z"), Instant.parse("2020-01-01T00:00:00Z"));
  }

  @Test
  void rangesFromYearOneAndTheWholeSupportedRangeBreakOnRoundYears() {
    // Issue 10 point 11: a start in year 1 used to give slices on no round time.
    List<TimeRange> fromYearOne = SlicePlanner.slices(range("0001-01-01T00:00:00Z", "2026-11-25T00:48:04Z"), 2);
    assertThat(innerBoundaries(fromYearOne)).containsExactly(Instant.parse("1000-01-01T00:00:00Z"), Instant.parse("2000-01-01T00:00:00Z"));

    assertThat(SlicePlanner.slices(TimeRange.all(), 2)).hasSize(10);
    List<TimeRange> all = SlicePlanner.slices(TimeRange.all(), 16);
    assertThat(all).hasSize(100);
    assertThat(innerBoundaries(all)).allSatisfy(boundary -> {
      ZonedDateTime utc = boundary.atZone(ZoneOffset.UTC);
      assertThat(utc.getYear() % 100).isZero();
      assertThat(utc.toLocalDateTime()).isEqualTo(utc.toLocalDate().withDayOfYear(1).atStartOfDay());
    });

    List<TimeRange> centuries = SlicePlanner.slices(range("1601-03-04T05:06:07Z", "2024-01-01T00:00:00Z"), 4);
    assertThat(innerBoundaries(centuries)).startsWith(Instant.parse("1700-01-01T00:00:00Z")).hasSize(4);
  }

  @Test
  void aRangeShorterThanTheFinestStepIsOneSlice() {
    TimeRange second = range(JAN_1.plusSeconds(3), Duration.ofSeconds(1));

    assertThat(SlicePlanner.slices(second, 2)).containsExactly(second);
  }

  private static List<Instant> innerBoundaries(List<TimeRange> slices) {
    return slices.subList(1, slices.size()).stream().map(TimeRange::start).toList();
  }
}
