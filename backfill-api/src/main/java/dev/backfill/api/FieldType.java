package dev.backfill.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The type of a column and the Java class of its values. */
public enum FieldType {
  STRING(String.class),
  LONG(Long.class),
  DOUBLE(Double.class),
  BOOLEAN(Boolean.class),
  TIMESTAMP(Instant.class);

  private final Class<?> javaType;

  FieldType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /** The class every non-null value of this type has. */
  public Class<?> javaType() {
    return javaType;
  }

  /**
   * The value as this type's Java class, widened when no information is lost: {@code Integer},
   * {@code Short} and {@code Byte} widen to {@code Long}; {@code Float}, {@code Integer},
   * {@code Short}, {@code Byte}, and a {@code Long} that a double holds exactly, widen to
   * {@code Double}. Nothing narrows (a {@code Double} is never a LONG). Null stays null.
   *
   * @throws InvalidValueException naming this type and the value's when the value has another type
   */
  public Object coerce(Object value) {
    if (value == null || javaType.isInstance(value)) {
      return value;
    }
    if (this == LONG && (value instanceof Integer || value instanceof Short || value instanceof Byte)) {
      return ((Number) value).longValue();
    }
    if (this == DOUBLE && (value instanceof Float || value instanceof Integer || value instanceof Short
        || value instanceof Byte)) {
      return ((Number) value).doubleValue();
    }
    if (this == DOUBLE && value instanceof Long l && (long) (double) l == l && l != Long.MAX_VALUE) {
      return (double) l;
    }
    String lossy = this == DOUBLE && value instanceof Long ? " (a double cannot hold this long exactly)" : "";
    throw new InvalidValueException("expected " + this + " (" + javaType.getSimpleName() + ") but got "
        + Values.describe(value) + lossy);
  }

  /** Whether {@link #coerce} accepts the value. */
  public boolean accepts(Object value) {
    try {
      coerce(value);
      return true;
    } catch (InvalidValueException e) {
      return false;
    }
  }

  /**
   * Parses a type name, case-insensitive ({@code string}, {@code long}, ...).
   *
   * @throws InvalidFeatureSetException naming the valid types, for an unknown name and for null
   *     (as {@link ClusterTemplate#parse} and {@link BackfillTimes#parse} do)
   */
  public static FieldType parse(String text) {
    String valid = Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    if (text == null) {
      throw new InvalidFeatureSetException("missing field type; valid types: " + valid);
    }
    for (FieldType type : values()) {
      if (type.name().equalsIgnoreCase(text.trim())) {
        return type;
      }
    }
    throw new InvalidFeatureSetException("unknown field type '" + Values.escape(text) + "'; valid types: " + valid);
  }
}
