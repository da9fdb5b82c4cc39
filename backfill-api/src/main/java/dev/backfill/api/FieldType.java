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
   * The value as this type's Java class: {@code Integer}, {@code Short} and {@code Byte} widen
   * to {@code Long}, {@code Float} to {@code Double}; null stays null.
   *
   * @throws IllegalArgumentException when the value has another type
   */
  public Object coerce(Object value) {
    if (value == null || javaType.isInstance(value)) {
      return value;
    }
    if (this == LONG && (value instanceof Integer || value instanceof Short || value instanceof Byte)) {
      return ((Number) value).longValue();
    }
    if (this == DOUBLE && value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    throw new IllegalArgumentException("expected " + this + " (" + javaType.getSimpleName()
        + ") but got " + value.getClass().getSimpleName() + " " + value);
  }

  /** Whether {@link #coerce} accepts the value. */
  public boolean accepts(Object value) {
    try {
      coerce(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses a type name, case-insensitive ({@code string}, {@code long}, ...).
   *
   * @throws InvalidFeatureSetException naming the valid types
   */
  public static FieldType parse(String text) {
    for (FieldType type : values()) {
      if (type.name().equalsIgnoreCase(text.trim())) {
        return type;
      }
    }
    throw new InvalidFeatureSetException("unknown field type '" + text + "'; valid types: "
        + Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
  }
}
