package dev.backfill.api;

import java.util.Objects;

/**
 * A row that does not fit its feature set's schema: a missing column, a value of the wrong
 * type, or a null key or event time. The job (or {@code ingest} call) that met it writes
 * nothing.
 */
public class InvalidRowException extends BackfillException {
  private static final long serialVersionUID = 1L;
  private final String featureSet;
  private final String column;
  private final transient Object value;
  private final String reason;

  public InvalidRowException(String featureSet, String column, Object value, String reason) {
    super("invalid row for feature set '" + featureSet + "': column '" + column + "' value "
        + describe(value) + ": " + reason);
    this.featureSet = Objects.requireNonNull(featureSet, "featureSet");
    this.column = Objects.requireNonNull(column, "column");
    this.value = value;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    String text = value instanceof String ? "'" + value + "'" : String.valueOf(value);
    return text + " (" + value.getClass().getSimpleName() + ")";
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
