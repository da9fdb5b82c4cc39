package dev.backfill.spi;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.TimeRange;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One slice of a backfill, and where the rows a transform emits from it go. The engine runs the
 * transform on each slice separately, over the source's rows of {@link #input()}; a store that
 * stages rows itself ({@link OfflineReplacement#stageFrom}) must do the same and treat each
 * output row as {@link #place} says, so that both paths write the same rows or fail the same way.
 *
 * @param range the slice, {@code [a, b)}
 * @param backfill the backfill's whole range, which the slices cover
 * @param lookback the transform's lookback
 */
public record Slice(TimeRange range, TimeRange backfill, Duration lookback) implements java.io.Serializable {
  /** Where an output row of a slice goes. */
  public enum Placement {
    /** Inside the slice: staged and written. */
    IN_SLICE,
    /**
     * Outside the backfill's range, emitted by the first slice (before the start) or the last
     * (at or after the stop): dropped, counted in {@code rowsDroppedOutOfRange}.
     */
    OUT_OF_RANGE,
    /**
     * Outside the slice but where the point-in-time rule allows it: in the slice's lookback
     * window {@code [a - lookback, a)}, in {@code [b, b + lookback)}, or outside the range from a
     * middle slice. Another slice emits it itself; dropped, counted in
     * {@code rowsDroppedAsContext}.
     */
    CONTEXT,
    /**
     * Inside the backfill's range but before {@code a - lookback} or at or after
     * {@code b + lookback}: no transform that keeps the point-in-time rule emits it from this
     * slice. The job fails with {@link dev.backfill.api.InvalidRowException#pointInTime}.
     */
    BREACH
  }

  public Slice {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(backfill, "backfill");
    Objects.requireNonNull(lookback, "lookback");
    if (range.start().isBefore(backfill.start()) || range.stop().isAfter(backfill.stop())) {
      throw new IllegalArgumentException("slice " + range + " is not inside the backfill's range " + backfill);
    }
    if (lookback.isNegative()) {
      throw new IllegalArgumentException("lookback " + lookback + " is negative");
    }
  }

  /** The slices of a plan's range, in order, for a transform of this lookback. */
  public static List<Slice> of(List<TimeRange> slices, TimeRange backfill, Duration lookback) {
    return slices.stream().map(s -> new Slice(s, backfill, lookback)).toList();
  }

  /**
   * What the source is read for: {@code [a - lookback, b)}, its start no earlier than
   * {@link BackfillTimes#SUPPORTED_START} (no input before it can be an output's context).
   */
  public TimeRange input() {
    return TimeRange.of(inputStart(), range.stop());
  }

  /** {@code a - lookback}, no earlier than the supported start: before it a row is a breach. */
  public Instant inputStart() {
    Instant start = range.start();
    if (Duration.between(BackfillTimes.SUPPORTED_START, start).compareTo(lookback) <= 0) {
      return BackfillTimes.SUPPORTED_START;
    }
    return start.minus(lookback);
  }

  /**
   * {@code b + lookback}, no later than the supported stop: at or after it a row of the range is
   * a breach.
   */
  public Instant contextStop() {
    try {
      Instant stop = range.stop().plus(lookback);
      return stop.isAfter(BackfillTimes.SUPPORTED_STOP) ? BackfillTimes.SUPPORTED_STOP : stop;
    } catch (DateTimeException | ArithmeticException beyondInstants) {
      return BackfillTimes.SUPPORTED_STOP;
    }
  }

  /** Whether this is the first slice of the backfill: it owns the output rows before the start. */
  public boolean isFirst() {
    return range.start().equals(backfill.start());
  }

  /** Whether this is the last slice: it owns the output rows at or after the stop. */
  public boolean isLast() {
    return range.stop().equals(backfill.stop());
  }

  /** Where an output row of this slice with event time {@code t} goes. */
  public Placement place(Instant t) {
    if (range.contains(t)) {
      return Placement.IN_SLICE;
    }
    if (!backfill.contains(t)) {
      boolean owned = t.isBefore(backfill.start()) ? isFirst() : isLast();
      return owned ? Placement.OUT_OF_RANGE : Placement.CONTEXT;
    }
    return t.isBefore(inputStart()) || !t.isBefore(contextStop()) ? Placement.BREACH : Placement.CONTEXT;
  }

  @Override
  public String toString() {
    return range.toString();
  }
}
