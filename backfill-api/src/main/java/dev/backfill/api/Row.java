package dev.backfill.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable row: values in the order of its {@link Schema}. {@link #of} checks the arity and
 * the type of every value, widening where nothing is lost ({@link FieldType#coerce}: an
 * {@code Integer} into a LONG or a DOUBLE column, a {@code Float} into a DOUBLE column, never a
 * {@code Double} into a LONG one); nulls are allowed here and rejected for keys and event times
 * when a row is written to a feature set. Every misuse (a wrong arity or type, an unknown column
 * or position, a typed getter on a column of another type) is an {@link InvalidValueException}
 * naming the column or position and the schema.
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
   * @throws InvalidValueException naming the column and the schema when the arity or a type is wrong
   */
  public static Row of(Schema schema, Object... values) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(values, "values");
    if (values.length != schema.size()) {
      throw new InvalidValueException("row has " + values.length + " values but schema "
          + schema + " has " + schema.size() + " columns");
    }
    Object[] copy = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      Field field = schema.fields().get(i);
      try {
        copy[i] = field.type().coerce(values[i]);
      } catch (InvalidValueException e) {
        throw new InvalidValueException("column '" + field.name() + "' of schema " + schema + ": " + e.getMessage());
      }
    }
    return new Row(schema, copy);
  }

  /**
   * A row of the schema from a map of column name to value; absent columns are null.
   *
   * @throws InvalidValueException for a key that is not a column or a value of the wrong type
   */
  public static Row fromMap(Schema schema, Map<String, ?> values) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(values, "values");
    Object[] ordered = new Object[schema.size()];
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      int index = schema.indexOf(entry.getKey());
      if (index < 0) {
        throw notAColumn(entry.getKey(), schema);
      }
      ordered[index] = entry.getValue();
    }
    return of(schema, ordered);
  }

  public Schema schema() {
    return schema;
  }

  /** The value of the column, possibly null. @throws InvalidValueException for an unknown column */
  public Object get(String column) {
    return values[indexOrThrow(column)];
  }

  /**
   * The value at the position, possibly null.
   *
   * @throws InvalidValueException naming the position and the schema when there is no such position
   */
  public Object get(int index) {
    if (index < 0 || index >= values.length) {
      throw new InvalidValueException("position " + index + " is not in schema " + schema + " (positions 0 to "
          + (values.length - 1) + ")");
    }
    return values[index];
  }

  /** The value of a STRING column. @throws InvalidValueException for an unknown column or one of another type */
  public String getString(String column) {
    return (String) typed(column, FieldType.STRING, "getString");
  }

  /** The value of a LONG column. @throws InvalidValueException for an unknown column or one of another type */
  public Long getLong(String column) {
    return (Long) typed(column, FieldType.LONG, "getLong");
  }

  /** The value of a DOUBLE column. @throws InvalidValueException for an unknown column or one of another type */
  public Double getDouble(String column) {
    return (Double) typed(column, FieldType.DOUBLE, "getDouble");
  }

  /** The value of a BOOLEAN column. @throws InvalidValueException for an unknown column or one of another type */
  public Boolean getBoolean(String column) {
    return (Boolean) typed(column, FieldType.BOOLEAN, "getBoolean");
  }

  /** The value of a TIMESTAMP column. @throws InvalidValueException for an unknown column or one of another type */
  public Instant getInstant(String column) {
    return (Instant) typed(column, FieldType.TIMESTAMP, "getInstant");
  }

  private Object typed(String column, FieldType expected, String getter) {
    int index = indexOrThrow(column);
    FieldType actual = schema.fields().get(index).type();
    if (actual != expected) {
      throw new InvalidValueException(getter + "('" + column + "'): column '" + column + "' is " + actual + ", not "
          + expected + ", in schema " + schema + "; use " + GETTERS.get(actual) + " or get('" + column + "')");
    }
    return values[index];
  }

  private static final Map<FieldType, String> GETTERS = Map.of(FieldType.STRING, "getString",
      FieldType.LONG, "getLong", FieldType.DOUBLE, "getDouble", FieldType.BOOLEAN, "getBoolean",
      FieldType.TIMESTAMP, "getInstant");

  /** Column name to value, in schema order; null values are kept. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      map.put(schema.fields().get(i).name(), values[i]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }

  private int indexOrThrow(String column) {
    Objects.requireNonNull(column, "column");
    int index = schema.indexOf(column);
    if (index < 0) {
      throw notAColumn(column, schema);
    }
    return index;
  }

  private static InvalidValueException notAColumn(String column, Schema schema) {
    return new InvalidValueException("column '" + Values.escape(column) + "' is not in schema " + schema);
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
