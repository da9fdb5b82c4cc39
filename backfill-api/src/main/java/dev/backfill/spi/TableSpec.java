package dev.backfill.spi;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What a store needs to know of a feature set: its name, schema, key columns and event-time
 * column. Stores keep one table per spec.
 *
 * <p><b>Row order.</b> {@link #latestOrder()} is the total order that decides which row of a key
 * is the latest: the greater event time wins; on equal event times the columns are compared in
 * schema order, null below any value, strings by {@link String#compareTo}, numbers numerically
 * ({@link Double#compare} for doubles), {@code false < true}, instants chronologically; the
 * greater row wins. Rows equal in this order are equal in every value.
 */
public record TableSpec(String name, Schema schema, List<String> keyColumns, String eventTimeColumn)
    implements java.io.Serializable {
  public TableSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schema, "schema");
    keyColumns = List.copyOf(Objects.requireNonNull(keyColumns, "keyColumns"));
    Objects.requireNonNull(eventTimeColumn, "eventTimeColumn");
    if (keyColumns.isEmpty()) {
      throw new IllegalArgumentException("table " + name + " needs at least one key column");
    }
    for (String key : keyColumns) {
      if (schema.indexOf(key) < 0) {
        throw new IllegalArgumentException("key column '" + key + "' is not in schema " + schema);
      }
    }
    Field eventTime = schema.field(eventTimeColumn).orElseThrow(() -> new IllegalArgumentException(
        "event-time column '" + eventTimeColumn + "' is not in schema " + schema));
    if (eventTime.type() != FieldType.TIMESTAMP) {
      throw new IllegalArgumentException("event-time column '" + eventTimeColumn + "' must be TIMESTAMP, not " + eventTime.type());
    }
  }

  /** The entity key of a row of this schema. */
  public EntityKey keyOf(Row row) {
    Object[] parts = new Object[keyColumns.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = row.get(keyColumns.get(i));
    }
    return EntityKey.of(parts);
  }

  /** The event time of a row of this schema. */
  public Instant eventTimeOf(Row row) {
    return row.getInstant(eventTimeColumn);
  }

  /** The order in which the greatest row of a key is its latest; see the class comment. */
  public Comparator<Row> latestOrder() {
    return new LatestOrder(schema.indexOf(eventTimeColumn));
  }

  /**
   * The type of {@link #latestOrder()}, so that {@link WriteCondition#storedBefore} can tell the
   * latest order from any other comparator and declare its condition.
   */
  record LatestOrder(int eventTimeIndex) implements Comparator<Row> {
    @Override
    public int compare(Row a, Row b) {
      return compareRows(a, b, eventTimeIndex);
    }
  }

  /**
   * An order of entity keys: part by part, each compared as {@link #latestOrder()} compares
   * values. For stores that list keys in order ({@link OfflineStore#keysInOrder}) and have no
   * order of their own.
   */
  public static Comparator<EntityKey> keyOrder() {
    return (a, b) -> {
      int size = Math.min(a.parts().size(), b.parts().size());
      for (int i = 0; i < size; i++) {
        int c = compareValues(a.parts().get(i), b.parts().get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.parts().size(), b.parts().size());
    };
  }

  /**
   * The later of two rows of one key by {@link #latestOrder()}; {@code a} when they are equal in
   * that order, which means equal in every value. For merging rows into the latest per key.
   */
  public Row laterOf(Row a, Row b) {
    return compareRows(a, b, schema.indexOf(eventTimeColumn)) >= 0 ? a : b;
  }

  private static int compareRows(Row a, Row b, int eventTimeIndex) {
    int byTime = compareValues(a.get(eventTimeIndex), b.get(eventTimeIndex));
    if (byTime != 0) {
      return byTime;
    }
    int size = a.schema().size();
    for (int i = 0; i < size; i++) {
      int c = compareValues(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    if (a instanceof Double x && b instanceof Double y) {
      return Double.compare(x, y);
    }
    return ((Comparable) a).compareTo(b);
  }
}
