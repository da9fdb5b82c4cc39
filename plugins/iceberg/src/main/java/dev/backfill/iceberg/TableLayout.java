package dev.backfill.iceberg;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * How a feature set's {@link TableSpec} maps onto an Iceberg table: the schema (one column per
 * field, exact types, timestamps as {@code timestamptz} in microseconds), the partitioning by
 * event time, the table properties that let another process rebuild the spec, and rows to and
 * from Iceberg records.
 */
final class TableLayout {
  static final String FEATURE_SET = "backfill.feature-set";
  static final String KEY_COUNT = "backfill.key-count";
  static final String KEY_PREFIX = "backfill.key.";
  static final String EVENT_TIME = "backfill.event-time";

  private final TableSpec spec;
  private final Schema schema;
  private final GenericRecord template;

  TableLayout(TableSpec spec) {
    this.spec = spec;
    this.schema = schemaOf(spec);
    this.template = GenericRecord.create(schema);
  }

  TableSpec spec() {
    return spec;
  }

  Schema schema() {
    return schema;
  }

  static Schema schemaOf(TableSpec spec) {
    List<Types.NestedField> columns = new ArrayList<>();
    int id = 1;
    for (Field field : spec.schema().fields()) {
      boolean required = spec.keyColumns().contains(field.name()) || field.name().equals(spec.eventTimeColumn());
      Type type = switch (field.type()) {
        case STRING -> Types.StringType.get();
        case LONG -> Types.LongType.get();
        case DOUBLE -> Types.DoubleType.get();
        case BOOLEAN -> Types.BooleanType.get();
        case TIMESTAMP -> Types.TimestampType.withZone();
      };
      columns.add(required ? Types.NestedField.required(id++, field.name(), type)
          : Types.NestedField.optional(id++, field.name(), type));
    }
    return new Schema(columns);
  }

  static PartitionSpec partitionSpec(Schema schema, String eventTime, IcebergOptions.Partitioning partitioning) {
    PartitionSpec.Builder builder = PartitionSpec.builderFor(schema);
    return switch (partitioning) {
      case HOUR -> builder.hour(eventTime).build();
      case DAY -> builder.day(eventTime).build();
      case MONTH -> builder.month(eventTime).build();
    };
  }

  /** The properties that keep the spec's keys and event time with the table. */
  static Map<String, String> properties(TableSpec spec) {
    Map<String, String> properties = new HashMap<>();
    properties.put(FEATURE_SET, spec.name());
    properties.put(KEY_COUNT, Integer.toString(spec.keyColumns().size()));
    for (int i = 0; i < spec.keyColumns().size(); i++) {
      properties.put(KEY_PREFIX + i, spec.keyColumns().get(i));
    }
    properties.put(EVENT_TIME, spec.eventTimeColumn());
    return properties;
  }

  /** The spec kept with a table, or empty when the table was not made by this store. */
  static Optional<TableSpec> specOf(String name, Table table) {
    Map<String, String> properties = table.properties();
    String count = properties.get(KEY_COUNT);
    String eventTime = properties.get(EVENT_TIME);
    if (count == null || eventTime == null) {
      return Optional.empty();
    }
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(count); i++) {
      keys.add(properties.get(KEY_PREFIX + i));
    }
    List<Field> fields = new ArrayList<>();
    for (Types.NestedField column : table.schema().columns()) {
      fields.add(new Field(column.name(), typeOf(name, column)));
    }
    return Optional.of(new TableSpec(name, dev.backfill.api.Schema.of(fields), keys, eventTime));
  }

  private static FieldType typeOf(String table, Types.NestedField column) {
    return switch (column.type().typeId()) {
      case STRING -> FieldType.STRING;
      case LONG -> FieldType.LONG;
      case DOUBLE -> FieldType.DOUBLE;
      case BOOLEAN -> FieldType.BOOLEAN;
      case TIMESTAMP -> FieldType.TIMESTAMP;
      default -> throw new StoreException("offline store (iceberg): table '" + table + "' has column '" + column.name()
          + "' of Iceberg type " + column.type() + ", which no feature set field maps to (string, long, double, "
          + "boolean, timestamptz)");
    };
  }

  Record toRecord(Row row) {
    GenericRecord record = template.copy();
    for (int i = 0; i < spec.schema().size(); i++) {
      Object value = row.get(i);
      // Not OffsetDateTime.ofInstant: on Java 17 it builds the offset's ZoneRules anew for each value.
      record.set(i, value instanceof Instant t ? OffsetDateTime.of(
          LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC), ZoneOffset.UTC) : value);
    }
    return record;
  }

  /** A row from a record whose first columns are the table's, in order. */
  Row toRow(Record record) {
    Object[] values = new Object[spec.schema().size()];
    for (int i = 0; i < values.length; i++) {
      Object value = record.get(i);
      if (value instanceof OffsetDateTime t) {
        value = t.toInstant();
      } else if (value instanceof CharSequence text && !(value instanceof String)) {
        value = text.toString();
      }
      values[i] = value;
    }
    return Row.of(spec.schema(), values);
  }

  /** The entity key of a record whose first columns are the table's, in order. */
  EntityKey keyOf(Record record) {
    Object[] parts = new Object[spec.keyColumns().size()];
    for (int i = 0; i < parts.length; i++) {
      Object value = record.getField(spec.keyColumns().get(i));
      parts[i] = value instanceof CharSequence text ? text.toString() : value;
    }
    return EntityKey.of(parts);
  }

  /** The event time of a record with the table's columns or a projection of them. */
  Instant eventTimeOf(Record record) {
    return ((OffsetDateTime) record.getField(spec.eventTimeColumn())).toInstant();
  }

  /** The filter of rows whose event time is in the range, exact to the microsecond. */
  Expression rangeFilter(TimeRange range) {
    return Expressions.and(
        Expressions.greaterThanOrEqual(spec.eventTimeColumn(), micros(range.start())),
        Expressions.lessThan(spec.eventTimeColumn(), micros(range.stop())));
  }

  /**
   * Microseconds since the epoch, rounded up: a stored row (whole microseconds) is at or after
   * an instant exactly when it is at or after the instant rounded up to a microsecond.
   */
  static long micros(Instant t) {
    long micros = Math.multiplyExact(t.getEpochSecond(), 1_000_000L) + t.getNano() / 1_000;
    return t.getNano() % 1_000 == 0 ? micros : micros + 1;
  }

  static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
