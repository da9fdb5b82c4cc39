package dev.backfill.api;

import java.time.Instant;
import java.util.Objects;

/** A half-open interval of UTC instants {@code [start, stop)}; {@code start < stop}. */
public record TimeRange(Instant start, Instant stop) implements java.io.Serializable {
  /** Every instant Backfill supports. */
  private static final TimeRange ALL = new TimeRange(BackfillTimes.SUPPORTED_START, BackfillTimes.SUPPORTED_STOP);

  public TimeRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(stop, "stop");
    if (!start.isBefore(stop)) {
      throw new IllegalArgumentException("time range start " + start + " must be before stop " + stop);
    }
  }

  public static TimeRange of(Instant start, Instant stop) {
    return new TimeRange(start, stop);
  }

  /**
   * Every supported instant, {@code [BackfillTimes.SUPPORTED_START, BackfillTimes.SUPPORTED_STOP)}
   * ({@code [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)}): for reading everything, since no
   * stored row lies outside it.
   */
  public static TimeRange all() {
    return ALL;
  }

  /** Whether {@code start <= t < stop}. */
  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(stop);
  }

  /** Whether the two half-open ranges share at least one instant. */
  public boolean overlaps(TimeRange other) {
    return start.isBefore(other.stop) && other.start.isBefore(stop);
  }

  @Override
  public String toString() {
    return "[" + start + ", " + stop + ")";
  }
}
