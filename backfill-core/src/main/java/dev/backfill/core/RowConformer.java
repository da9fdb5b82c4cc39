package dev.backfill.core;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidKeyException;
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
 * Checks rows against a feature set's schema and brings them into its column order: the engine's
 * edge, so that every store is handed the same values. A row's columns must be exactly the
 * feature set's, each of the same type, in any order; keys and the event time must not be null;
 * timestamps have at most microsecond precision and lie in the supported range
 * ({@link BackfillTimes#SUPPORTED_RANGE}); strings hold no lone UTF-16 surrogate (not text: every
 * store keeps UTF-8, and DuckDB would store '?', so that <code>"&#92;uD800"</code> and {@code "?"} became
 * one key). DOUBLE key values are normalised as {@link EntityKey} normalises them ({@code -0.0}
 * to {@code 0.0}, every NaN to {@code Double.NaN}). Keys given to a read are checked the same way
 * ({@link #conformKey}). Thread-safe.
 *
 * <p>Public and serializable for the runners that check rows where they are made (Spark's
 * executors), so that every runner fails a bad row with the same {@link InvalidRowException}.
 */
public final class RowConformer implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final TableSpec table;
  private final int eventTimeIndex;
  private final int[] keyIndexes;
  private final int[] timestampIndexes;
  private final int[] stringIndexes;
  private final int[] doubleKeyIndexes;
  private final List<Field> keyFields;
  /** The last row schema found equal to the table's: sources reuse one instance for all rows. */
  private transient volatile Schema knownEqual;

  /** A conformer for rows of the table. */
  public RowConformer(TableSpec table) {
    this.table = table;
    this.eventTimeIndex = table.schema().indexOf(table.eventTimeColumn());
    this.keyIndexes = table.keyColumns().stream().mapToInt(table.schema()::indexOf).toArray();
    this.timestampIndexes = java.util.stream.IntStream.range(0, table.schema().size())
        .filter(i -> table.schema().fields().get(i).type() == FieldType.TIMESTAMP).toArray();
    this.stringIndexes = indexesOf(table, FieldType.STRING);
    this.doubleKeyIndexes = java.util.Arrays.stream(keyIndexes)
        .filter(i -> table.schema().fields().get(i).type() == FieldType.DOUBLE).toArray();
    this.keyFields = table.keyColumns().stream().map(k -> table.schema().field(k).orElseThrow()).toList();
  }

  private static int[] indexesOf(TableSpec table, FieldType type) {
    return java.util.stream.IntStream.range(0, table.schema().size())
        .filter(i -> table.schema().fields().get(i).type() == type).toArray();
  }

  /**
   * The key as the feature set's stores know it: each part widened to its key column's type
   * ({@link FieldType#coerce}) and normalised ({@link EntityKey}).
   *
   * @throws InvalidKeyException for a wrong number of parts, a part of another type, or a string
   *     part with a lone surrogate
   */
  EntityKey conformKey(EntityKey key) {
    List<Object> parts = key.parts();
    if (parts.size() != keyFields.size()) {
      throw new InvalidKeyException(table.name(), key, keyFields, "*", null, "it has " + parts.size() + " part(s) and the "
          + "feature set's key has " + keyFields.size() + "; give one value per key column, in order");
    }
    Object[] conformed = new Object[parts.size()];
    for (int i = 0; i < conformed.length; i++) {
      Field field = keyFields.get(i);
      Object part = parts.get(i);
      if (!field.type().accepts(part)) {
        throw new InvalidKeyException(table.name(), key, keyFields, field.name(), part, "part " + (i + 1) + " (column '"
            + field.name() + "') is a " + part.getClass().getSimpleName() + "; the column is " + field.type() + " ("
            + field.type().javaType().getSimpleName() + ")");
      }
      conformed[i] = field.type().coerce(part);
      if (conformed[i] instanceof String text) {
        int at = loneSurrogateAt(text);
        if (at >= 0) {
          throw new InvalidKeyException(table.name(), key, keyFields, field.name(), part, "part " + (i + 1) + " (column '"
              + field.name() + "') " + loneSurrogate(text, at) + ", so no row can have this key");
        }
      }
    }
    return EntityKey.of(conformed);
  }

  /** The index of the first lone UTF-16 surrogate of the text, or -1 when it is well-formed. */
  static int loneSurrogateAt(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  private static String loneSurrogate(String text, int at) {
    return String.format("holds a lone UTF-16 surrogate \\u%04X at index %d, which is not text: every store keeps "
        + "strings as UTF-8 (DuckDB would store '?'); remove it or pair it", (int) text.charAt(at), at);
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
          + " output schema " + produced + ", which cannot feed the feature set schema " + table.schema()
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
  public Row conform(Row row) {
    Row result = hasTableSchema(row.schema()) ? row : reorder(row);
    for (int index : stringIndexes) {
      if (result.get(index) instanceof String text) {
        int at = loneSurrogateAt(text);
        if (at >= 0) {
          throw new InvalidRowException(table.name(), table.schema().fields().get(index).name(), text,
              "the string " + loneSurrogate(text, at));
        }
      }
    }
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
    return normaliseDoubleKeys(result);
  }

  /** The row with its DOUBLE key values as {@link EntityKey#normaliseDouble} has them; the row itself when they are. */
  private Row normaliseDoubleKeys(Row row) {
    Object[] values = null;
    for (int index : doubleKeyIndexes) {
      Double value = (Double) row.get(index);
      Double normal = EntityKey.normaliseDouble(value);
      if (normal != value) {
        if (values == null) {
          values = new Object[row.schema().size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
          }
        }
        values[index] = normal;
      }
    }
    return values == null ? row : Row.of(row.schema(), values);
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
  public Instant eventTime(Row conformed) {
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
