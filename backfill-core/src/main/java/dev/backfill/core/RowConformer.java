package dev.backfill.core;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks rows against a feature set's schema and brings them into its column order. A row's
 * columns must be exactly the feature set's, each of the same type, in any order; keys and the
 * event time must not be null; timestamps have at most microsecond precision and lie in the
 * supported range ({@link BackfillTimes#SUPPORTED_RANGE}). Thread-safe.
 */
final class RowConformer {
  private final TableSpec table;
  private final int eventTimeIndex;
  private final int[] keyIndexes;
  private final int[] timestampIndexes;
  /** The last row schema found equal to the table's: sources reuse one instance for all rows. */
  private volatile Schema knownEqual;

  RowConformer(TableSpec table) {
    this.table = table;
    this.eventTimeIndex = table.schema().indexOf(table.eventTimeColumn());
    this.keyIndexes = table.keyColumns().stream().mapToInt(table.schema()::indexOf).toArray();
    this.timestampIndexes = java.util.stream.IntStream.range(0, table.schema().size())
        .filter(i -> table.schema().fields().get(i).type() == FieldType.TIMESTAMP).toArray();
  }

  /**
   * Checks that rows of {@code produced} can feed the table.
   *
   * @throws InvalidBackfillRequestException naming the missing, extra or mistyped column
   */
  void checkProducible(Schema produced, String producer) {
    String problem = schemaProblem(produced);
    if (problem != null) {
      throw new InvalidBackfillRequestException("feature set '" + table.name() + "': " + producer
          + " output schema " + produced + " cannot feed the feature set schema " + table.schema()
          + ": " + problem);
    }
  }

  private String schemaProblem(Schema produced) {
    List<String> problems = new ArrayList<>();
    for (Field field : table.schema().fields()) {
      var found = produced.field(field.name());
      if (found.isEmpty()) {
        problems.add("column '" + field.name() + "' (" + field.type() + ") is missing");
      } else if (found.get().type() != field.type()) {
        problems.add("column '" + field.name() + "' is " + found.get().type() + ", expected " + field.type());
      }
    }
    for (Field field : produced.fields()) {
      if (table.schema().indexOf(field.name()) < 0) {
        problems.add("column '" + field.name() + "' is not in the feature set");
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /**
   * The row in the table's schema.
   *
   * @throws InvalidRowException naming the feature set, column, value and reason
   */
  Row conform(Row row) {
    Row result = hasTableSchema(row.schema()) ? row : reorder(row);
    for (int index : keyIndexes) {
      if (result.get(index) == null) {
        throw new InvalidRowException(table.name(), table.schema().fields().get(index).name(), null,
            "a key column must not be null");
      }
    }
    if (result.get(eventTimeIndex) == null) {
      throw new InvalidRowException(table.name(), table.eventTimeColumn(), null,
          "the event-time column must not be null");
    }
    for (int index : timestampIndexes) {
      Instant t = (Instant) result.get(index);
      // Stores keep microseconds (DuckDB's TIMESTAMP); finer values would differ between the
      // offline and the online store and could change which row is the latest.
      if (t != null && t.getNano() % 1_000 != 0) {
        throw new InvalidRowException(table.name(), table.schema().fields().get(index).name(), t,
            "timestamps are stored to the microsecond; truncate with truncatedTo(ChronoUnit.MICROS)");
      }
      if (t != null && !BackfillTimes.isSupported(t)) {
        throw InvalidRowException.outsideSupportedRange(table.name(), table.schema().fields().get(index).name(), t);
      }
    }
    return result;
  }

  private boolean hasTableSchema(Schema schema) {
    if (schema == table.schema() || schema == knownEqual) {
      return true;
    }
    if (schema.equals(table.schema())) {
      knownEqual = schema;
      return true;
    }
    return false;
  }

  /** The event time of a conformed row. */
  Instant eventTime(Row conformed) {
    return (Instant) conformed.get(eventTimeIndex);
  }

  private Row reorder(Row row) {
    Schema schema = table.schema();
    Schema given = row.schema();
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < schema.size(); i++) {
      Field field = schema.fields().get(i);
      int index = given.indexOf(field.name());
      if (index < 0) {
        throw new InvalidRowException(table.name(), field.name(), null,
            "the column is missing from the row; row columns: " + given.names());
      }
      Object value = row.get(index);
      FieldType givenType = given.fields().get(index).type();
      if (givenType != field.type()) {
        throw new InvalidRowException(table.name(), field.name(), value,
            "expected " + field.type() + " but the row's column is " + givenType);
      }
      values[i] = value;
    }
    if (given.size() != schema.size()) {
      for (Field field : given.fields()) {
        if (schema.indexOf(field.name()) < 0) {
          throw new InvalidRowException(table.name(), field.name(), row.get(field.name()),
              "the column is not in the feature set; columns: " + schema.names());
        }
      }
    }
    return Row.of(schema, values);
  }
}
