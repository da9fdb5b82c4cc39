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
 * on round UTC times (minutes, hours, days, 2 or 7 days counted from the epoch, months, years),
 * the finest granularity that gives
 * at most {@code 8 x parallelism} slices (at least 16), so that every worker has several slices
 * and progress moves in even steps.
 */
final class SlicePlanner {
  private static final Granularity[] GRANULARITIES = {
      Granularity.fixed(Duration.ofMinutes(1)), Granularity.fixed(Duration.ofMinutes(15)),
      Granularity.fixed(Duration.ofHours(1)), Granularity.fixed(Duration.ofHours(6)),
      Granularity.fixed(Duration.ofDays(1)), Granularity.fixed(Duration.ofDays(2)),
      Granularity.fixed(Duration.ofDays(7)), Granularity.calendar(ChronoUnit.MONTHS),
      Granularity.calendar(ChronoUnit.YEARS)};

  private SlicePlanner() {}

  static List<TimeRange> slices(TimeRange range, int parallelism) {
    int target = Math.max(16, parallelism * 8);
    for (Granularity granularity : GRANULARITIES) {
      List<TimeRange> slices = split(range, granularity, target);
      if (slices != null) {
        return slices;
      }
    }
    return splitEvenly(range, target);
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
      Instant stop = boundary == null || boundary.isAfter(range.stop()) ? range.stop() : boundary;
      slices.add(TimeRange.of(start, stop));
      start = stop;
    }
    return slices;
  }

  private static List<TimeRange> splitEvenly(TimeRange range, int count) {
    long seconds = range.start().until(range.stop(), ChronoUnit.SECONDS);
    long step = Math.max(1, seconds / count);
    List<TimeRange> slices = new ArrayList<>();
    Instant start = range.start();
    for (int i = 1; i < count && start.plusSeconds(step).isBefore(range.stop()); i++) {
      Instant stop = start.plusSeconds(step);
      slices.add(TimeRange.of(start, stop));
      start = stop;
    }
    slices.add(TimeRange.of(start, range.stop()));
    return slices;
  }

  /** The next round time strictly after an instant; null past the representable range. */
  private interface Granularity {
    Instant next(Instant t);

    static Granularity fixed(Duration step) {
      long stepSeconds = step.getSeconds();
      return t -> {
        long next = Math.floorDiv(t.getEpochSecond(), stepSeconds) * stepSeconds + stepSeconds;
        return next > Instant.MAX.getEpochSecond() ? null : Instant.ofEpochSecond(next);
      };
    }

    static Granularity calendar(ChronoUnit unit) {
      return t -> {
        try {
          ZonedDateTime utc = t.atZone(ZoneOffset.UTC);
          ZonedDateTime floor = unit == ChronoUnit.MONTHS
              ? utc.toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
              : utc.toLocalDate().withDayOfYear(1).atStartOfDay(ZoneOffset.UTC);
          return floor.plus(1, unit).toInstant();
        } catch (java.time.DateTimeException | ArithmeticException e) {
          return null;
        }
      };
    }
  }
}
