package dev.backfill.spark;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Backfill's five types in Spark and back. Spark's integers widen to LONG, FLOAT to DOUBLE, and
 * TIMESTAMP, TIMESTAMP_NTZ (read as UTC, like a timestamp without a zone in any source) and DATE
 * (its midnight UTC) are TIMESTAMP, as the in-process sources map them.
 */
final class SparkTypes {
  private SparkTypes() {}

  static DataType sparkType(FieldType type) {
    return switch (type) {
      case STRING -> DataTypes.StringType;
      case LONG -> DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case BOOLEAN -> DataTypes.BooleanType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  static StructType structOf(Schema schema) {
    List<StructField> fields = new ArrayList<>();
    for (Field field : schema.fields()) {
      fields.add(DataTypes.createStructField(field.name(), sparkType(field.type()), true));
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * The Backfill schema of Spark rows.
   *
   * @throws IllegalArgumentException naming the first column of a type Backfill has no type for
   */
  static Schema schemaOf(StructType struct) {
    List<Field> fields = new ArrayList<>();
    for (StructField field : struct.fields()) {
      fields.add(new Field(field.name(), fieldType(field)));
    }
    return Schema.of(fields);
  }

  private static FieldType fieldType(StructField field) {
    DataType type = field.dataType();
    if (type.equals(DataTypes.StringType)) {
      return FieldType.STRING;
    }
    if (type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType) || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.ByteType)) {
      return FieldType.LONG;
    }
    if (type.equals(DataTypes.DoubleType) || type.equals(DataTypes.FloatType)) {
      return FieldType.DOUBLE;
    }
    if (type.equals(DataTypes.BooleanType)) {
      return FieldType.BOOLEAN;
    }
    if (type.equals(DataTypes.TimestampType) || type.equals(DataTypes.TimestampNTZType) || type.equals(DataTypes.DateType)) {
      return FieldType.TIMESTAMP;
    }
    throw new IllegalArgumentException("column '" + field.name() + "' is of Spark type " + type.simpleString()
        + ", which Backfill has no type for; cast it to string, bigint, double, boolean or timestamp");
  }

  /** A Spark value (Java 8 time API on) as Backfill holds it; {@code Row.of} widens the numbers. */
  static Object value(Object value) {
    if (value instanceof LocalDateTime local) {
      return local.toInstant(ZoneOffset.UTC);
    }
    if (value instanceof LocalDate date) {
      return date.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return value;
  }

  /** A Spark literal of an instant. */
  static java.sql.Timestamp timestamp(Instant t) {
    return java.sql.Timestamp.from(t);
  }
}
