package dev.backfill.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable row: values in the order of its {@link Schema}. {@link #of} checks the arity and
 * the type of every value ({@code Integer} widens to {@code Long}, {@code Float} to
 * {@code Double}); nulls are allowed here and rejected for keys and event times when a row is
 * written to a feature set.
 */
public final class Row {
  private final Schema schema;
  private final Object[] values;

  private Row(Schema schema, Object[] values) {
    this.schema = schema;
    this.values = values;
  }

  /**
   * A row of the schema with the values in column order.
   *
   * @throws IllegalArgumentException naming the column when the arity or a type is wrong
   */
  public static Row of(Schema schema, Object... values) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(values, "values");
    if (values.length != schema.size()) {
      throw new IllegalArgumentException("row has " + values.length + " values but schema "
          + schema + " has " + schema.size() + " columns");
    }
    Object[] copy = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      Field field = schema.fields().get(i);
      try {
        copy[i] = field.type().coerce(values[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("column '" + field.name() + "': " + e.getMessage(), e);
      }
    }
    return new Row(schema, copy);
  }

  /**
   * A row of the schema from a map of column name to value; absent columns are null.
   *
   * @throws IllegalArgumentException for a key that is not a column or a value of the wrong type
   */
  public static Row fromMap(Schema schema, Map<String, ?> values) {
    Object[] ordered = new Object[schema.size()];
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      int index = schema.indexOf(entry.getKey());
      if (index < 0) {
        throw new IllegalArgumentException("column '" + entry.getKey() + "' is not in schema " + schema);
      }
      ordered[index] = entry.getValue();
    }
    return of(schema, ordered);
  }

  public Schema schema() {
    return schema;
  }

  /** The value of the column, possibly null. @throws IllegalArgumentException for an unknown column */
  public Object get(String column) {
    return values[indexOrThrow(column)];
  }

  /** The value at the position, possibly null. */
  public Object get(int index) {
    return values[index];
  }

  public String getString(String column) {
    return (String) get(column);
  }

  public Long getLong(String column) {
    return (Long) get(column);
  }

  public Double getDouble(String column) {
    return (Double) get(column);
  }

  public Boolean getBoolean(String column) {
    return (Boolean) get(column);
  }

  public Instant getInstant(String column) {
    return (Instant) get(column);
  }

  /** Column name to value, in schema order; null values are kept. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      map.put(schema.fields().get(i).name(), values[i]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }

  private int indexOrThrow(String column) {
    int index = schema.indexOf(column);
    if (index < 0) {
      throw new IllegalArgumentException("column '" + column + "' is not in schema " + schema);
    }
    return index;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Row other && schema.equals(other.schema) && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return 31 * schema.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
