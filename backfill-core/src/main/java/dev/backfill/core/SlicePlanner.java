package dev.backfill.core;

import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a backfill's range into contiguous slices that cover it exactly. Inner boundaries fall
 * on round UTC times (minutes, hours, days, 2 or 7 days counted from the epoch, months, years,
 * decades, centuries, millennia), the finest granularity that gives at most
 * {@code 8 x parallelism} slices (at least 16), so that every worker has several slices and
 * progress moves in even steps. Millennia cut the whole supported range (years 1 to 9999) into
 * at most 11 slices, so every supported range gets round boundaries.
 */
final class SlicePlanner {
  private static final Granularity[] GRANULARITIES = {
      Granularity.fixed(Duration.ofMinutes(1)), Granularity.fixed(Duration.ofMinutes(15)),
      Granularity.fixed(Duration.ofHours(1)), Granularity.fixed(Duration.ofHours(6)),
      Granularity.fixed(Duration.ofDays(1)), Granularity.fixed(Duration.ofDays(2)),
      Granularity.fixed(Duration.ofDays(7)), Granularity.months(),
      Granularity.years(1), Granularity.years(10), Granularity.years(100), Granularity.years(1000)};

  private SlicePlanner() {}

  /** The slices of a range inside the supported range. */
  static List<TimeRange> slices(TimeRange range, int parallelism) {
    int target = Math.max(16, parallelism * 8);
    for (int i = 0; i < GRANULARITIES.length - 1; i++) {
      List<TimeRange> slices = split(range, GRANULARITIES[i], target);
      if (slices != null) {
        return slices;
      }
    }
    return split(range, GRANULARITIES[GRANULARITIES.length - 1], Integer.MAX_VALUE);
  }

  /** The slices at this granularity, or null when there would be more than {@code max}. */
  private static List<TimeRange> split(TimeRange range, Granularity granularity, int max) {
    List<TimeRange> slices = new ArrayList<>();
    Instant start = range.start();
    while (start.isBefore(range.stop())) {
      if (slices.size() == max) {
        return null;
      }
      Instant boundary = granularity.next(start);
      Instant stop = boundary.isAfter(range.stop()) ? range.stop() : boundary;
      slices.add(TimeRange.of(start, stop));
      start = stop;
    }
    return slices;
  }

  /** The next round time strictly after an instant of the supported range. */
  private interface Granularity {
    Instant next(Instant t);

    static Granularity fixed(Duration step) {
      long stepSeconds = step.getSeconds();
      return t -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), stepSeconds) * stepSeconds + stepSeconds);
    }

    static Granularity months() {
      return t -> t.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
          .plus(1, ChronoUnit.MONTHS).toInstant();
    }

    /** The first instant of the next year divisible by {@code years} (year 0 counts). */
    static Granularity years(int years) {
      return t -> {
        ZonedDateTime utc = t.atZone(ZoneOffset.UTC);
        int floor = Math.floorDiv(utc.getYear(), years) * years;
        return utc.toLocalDate().withDayOfYear(1).withYear(floor).plusYears(years)
            .atStartOfDay(ZoneOffset.UTC).toInstant();
      };
    }
  }
}
