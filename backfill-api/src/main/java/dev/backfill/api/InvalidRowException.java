package dev.backfill.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A row that does not fit its feature set's schema: a missing column, a value of the wrong
 * type, a null key or event time, a timestamp finer than a microsecond or outside the
 * {@linkplain BackfillTimes#SUPPORTED_RANGE supported range}, or an event time that breaks the
 * point-in-time rule ({@link #pointInTime}), a string with a lone UTF-16 surrogate (not text:
 * every store keeps strings as UTF-8). The job (or {@code ingest} call) that met it writes
 * nothing. The message shows the value escaped (control characters and lone surrogates as
 * <code>&#92;uXXXX</code>).
 */
public class InvalidRowException extends BackfillException {
  private static final long serialVersionUID = 1L;
  private final String featureSet;
  private final String column;
  private final transient Object value;
  private final String reason;

  public InvalidRowException(String featureSet, String column, Object value, String reason) {
    this("invalid row for feature set '" + featureSet + "': column '" + column + "' value "
        + Values.describe(value) + ": " + reason, featureSet, column, value, reason);
  }

  /** For subclasses that word the message themselves; the parts are as for the public constructor. */
  protected InvalidRowException(String message, String featureSet, String column, Object value, String reason) {
    super(message);
    this.featureSet = Objects.requireNonNull(featureSet, "featureSet");
    this.column = Objects.requireNonNull(column, "column");
    this.value = value;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** A timestamp of a row outside {@link BackfillTimes#SUPPORTED_RANGE}, which no store need hold. */
  public static InvalidRowException outsideSupportedRange(String featureSet, String column, Instant t) {
    return new InvalidRowException(featureSet, column, t,
        "the timestamp is outside the supported range " + BackfillTimes.SUPPORTED_RANGE);
  }

  /**
   * A transform output row that no transform keeping the point-in-time rule can emit from its
   * slice. Slice {@code [a, b)} reads its input from {@code a - lookback}; an output row at
   * {@code t} may depend only on input rows in {@code [t - lookback, t]}, so a row inside the
   * backfill's range at {@code t >= b + lookback} (none of its inputs were read: the transform
   * moves event times forward by more than its lookback) or at {@code t < a - lookback} (it was
   * computed from later inputs: the transform moves event times backward) is a certain breach.
   * Without this check such rows would be dropped as another slice's rows, and that slice would
   * not produce them either: the range would lose them silently.
   *
   * @param t the row's event time
   * @param slice the slice that emitted it
   * @param lookback the transform's declared lookback
   */
  public static InvalidRowException pointInTime(String featureSet, String eventTimeColumn, Instant t,
      TimeRange slice, Duration lookback) {
    boolean forward = !t.isBefore(slice.stop());
    String where = forward ? "at or after the slice's stop + lookback" : "before the slice's start - lookback";
    String fix = forward
        ? "the transform moves event times forward by more than its lookback: declare a lookback at least as long as "
            + "that shift (Transform.lookback(), or the sql transform's 'lookback' option)"
        : "it was computed from later input rows, so the transform moves event times backward, which the rule forbids: "
            + "give each output row the event time of its latest input";
    return new InvalidRowException(featureSet, eventTimeColumn, t, "the transform broke the point-in-time rule "
        + "(an output row at t may depend only on input rows in [t - lookback, t]): slice " + slice
        + " read its input from " + slice.start() + " - lookback " + lookback + " and emitted this row " + where
        + ", where no row of the range can come from; " + fix);
  }

  public String featureSet() {
    return featureSet;
  }

  public String column() {
    return column;
  }

  /** The offending value; empty when it was null. */
  public java.util.Optional<Object> value() {
    return java.util.Optional.ofNullable(value);
  }

  public String reason() {
    return reason;
  }
}
