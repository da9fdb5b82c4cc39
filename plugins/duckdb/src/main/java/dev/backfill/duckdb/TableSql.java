package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.DuckDbTypes.quote;
import static dev.backfill.duckdb.internal.DuckDbTypes.timestampLiteral;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.spi.TableSpec;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The SQL text of one feature set's tables: the event log {@code main."<name>"} that users can
 * query, and its latest rows {@code backfill_latest."<name>"}, one per key (all rows that tie
 * on the greatest event time), kept in the same transactions as the log so that
 * {@link DuckDbOfflineStore#latest} is a lookup instead of a scan of the whole history.
 */
final class TableSql {
  static final String LATEST_SCHEMA = "backfill_latest";

  final TableSpec spec;
  final String log;
  final String latest;
  final String columns;
  final String eventTime;
  final String keyColumns;
  /** The ART index of the latest rows on the first key column: what makes a key lookup an index scan. */
  final String latestIndex;

  TableSql(TableSpec spec) {
    this.spec = spec;
    this.log = "main." + quote(spec.name());
    this.latest = LATEST_SCHEMA + "." + quote(spec.name());
    this.columns = spec.schema().names().stream().map(DuckDbTypes::quote).collect(Collectors.joining(", "));
    this.eventTime = quote(spec.eventTimeColumn());
    this.keyColumns = spec.keyColumns().stream().map(DuckDbTypes::quote).collect(Collectors.joining(", "));
    // Index names live beside table names in the schema; the suffix keeps them apart.
    this.latestIndex = quote(spec.name() + "__backfill_keys");
  }

  /**
   * Creates the index of the latest rows if it is missing (a file from before the index is
   * indexed when opened). On the first key column only: DuckDB 1.4 scans an ART index for an
   * {@code IN} list of one column, never for a multi-column index.
   */
  String createLatestIndex() {
    return "CREATE INDEX IF NOT EXISTS " + latestIndex + " ON " + latest + " (" + quote(spec.keyColumns().get(0)) + ")";
  }

  /**
   * A condition (without WHERE) that holds for the rows of the given keys, in the form DuckDB
   * answers with a scan of the index of {@link #createLatestIndex}: the first key column
   * {@code IN} a list of literals (at most {@link #INDEX_SCAN_KEYS} keys, so that the rows that
   * match stay under {@link #INDEX_MATCHES}; beyond it, DuckDB scans the table), then, for a composite key,
   * the whole key {@code IN} the list of keys, which DuckDB checks on the rows the index found.
   */
  String keysIn(Collection<EntityKey> keys) {
    if (keys.size() > INDEX_SCAN_KEYS) {
      throw new IllegalArgumentException(keys.size() + " keys in one lookup; at most " + INDEX_SCAN_KEYS + " use the index");
    }
    String first = keys.stream().map(k -> keyLiteral(0, k)).distinct().collect(Collectors.joining(", "));
    String condition = quote(spec.keyColumns().get(0)) + " IN (" + first + ")";
    if (spec.keyColumns().size() > 1) {
      condition += " AND (" + keyColumns + ") IN (" + keys.stream().map(this::rowLiteral).collect(Collectors.joining(", ")) + ")";
    }
    return condition;
  }

  /** The most keys one lookup asks for. */
  static final int INDEX_SCAN_KEYS = 2_048;
  /**
   * The store's {@code index_scan_max_count}: DuckDB answers a lookup with an index scan while
   * at most this many rows match (DuckDB's default, 2,048, would leave no room for ties).
   */
  static final int INDEX_MATCHES = 8 * INDEX_SCAN_KEYS;

  private String rowLiteral(EntityKey key) {
    StringBuilder row = new StringBuilder("(");
    for (int i = 0; i < key.parts().size(); i++) {
      row.append(i == 0 ? "" : ", ").append(keyLiteral(i, key));
    }
    return row.append(')').toString();
  }

  /** Column definitions; keys and event time are NOT NULL, so DuckDB itself refuses a null. */
  String columnDefinitions() {
    return spec.schema().fields().stream().map(this::definition).collect(Collectors.joining(", "));
  }

  private String definition(Field field) {
    boolean required = spec.keyColumns().contains(field.name()) || spec.eventTimeColumn().equals(field.name());
    return quote(field.name()) + " " + DuckDbTypes.sqlType(field.type()) + (required ? " NOT NULL" : "");
  }

  /** A WHERE condition (without WHERE) for the range, or TRUE for everything. */
  String inRange(Optional<TimeRange> range) {
    return range.map(this::inRange).orElse("TRUE");
  }

  String inRange(TimeRange range) {
    return eventTime + " >= " + timestampLiteral(range.start()) + " AND " + eventTime + " < " + timestampLiteral(range.stop());
  }

  /** {@link #inRange(TimeRange)} over the event time of the relation named {@code alias} in the query. */
  String inRange(String alias, TimeRange range) {
    String time = alias + "." + eventTime;
    return time + " >= " + timestampLiteral(range.start()) + " AND " + time + " < " + timestampLiteral(range.stop());
  }

  // The queries that must follow the range or the keys, named so that QueryPlanTest checks
  // the plans of the very text the store runs.

  /** The rows of the range. */
  String selectInRange(TimeRange range) {
    return "SELECT " + columns + " FROM " + log + " WHERE " + inRange(range);
  }

  /** How many rows the range holds and of how many keys. */
  String countInRange(TimeRange range) {
    return "SELECT coalesce(sum(n), 0), count(*) FROM (SELECT count(*) AS n FROM " + log + " WHERE " + inRange(range)
        + " GROUP BY " + keyColumns + ")";
  }

  /**
   * The distinct keys of the range, as a {@code FROM ... WHERE ...} clause: for
   * {@link TimeRange#all()} the latest rows (one row per key, or a few that tie), else the
   * history's range.
   */
  String keysFrom(TimeRange range) {
    return range.equals(TimeRange.all()) ? latest + " WHERE TRUE" : log + " WHERE " + inRange(range);
  }

  /** Deletes the range's rows (everything when empty). */
  String deleteRange(Optional<TimeRange> range) {
    return "DELETE FROM " + log + " WHERE " + inRange(range);
  }

  /** The rows in {@code [lower, upper)} of the keys of {@code keysTable}. */
  String rowsOfKeysBetween(String keysTable, java.time.Instant lower, java.time.Instant upper) {
    return "SELECT t.* FROM " + log + " t SEMI JOIN " + keysTable + " h ON " + keysEqual("t", "h") + " WHERE t." + eventTime
        + " >= " + timestampLiteral(lower) + " AND t." + eventTime + " < " + timestampLiteral(upper);
  }

  /**
   * The keys of {@code latestRows} (rows of the table's columns, a key's latest rows) whose
   * latest rows lie in the range and that have no row in the range in the history: after a
   * replacement of the range, the keys whose latest rows must be looked for before it.
   */
  String keysLeftWithoutRowsIn(String latestRows, TimeRange range) {
    return "SELECT DISTINCT " + keyColumns + " FROM " + latestRows + " o WHERE " + inRange("o", range)
        + " AND NOT EXISTS (SELECT 1 FROM " + log + " t WHERE " + keysEqual("t", "o") + " AND " + inRange("t", range) + ")";
  }

  /** The latest rows of at most {@link #INDEX_SCAN_KEYS} keys, by the index. */
  String latestOf(Collection<EntityKey> keys) {
    return "SELECT " + columns + " FROM " + latest + " WHERE " + keysIn(keys);
  }

  /** {@code a.k1 = b.k1 AND a.k2 = b.k2 ...}: the key join of two aliases. */
  String keysEqual(String a, String b) {
    return spec.keyColumns().stream().map(k -> a + "." + quote(k) + " = " + b + "." + quote(k))
        .collect(Collectors.joining(" AND "));
  }

  /**
   * The rows of {@code relation} that have their key's greatest event time (all that tie; Java
   * breaks the ties), by a grouped maximum joined back: for a whole table much faster than
   * {@link #latestPerKey()}'s window, which sorts every row.
   */
  String latestRowsOf(String relation) {
    return "SELECT t.* FROM " + relation + " t JOIN (SELECT " + keyColumns + ", max(" + eventTime + ") AS __backfill_max FROM "
        + relation + " GROUP BY " + keyColumns + ") m ON " + keysEqual("t", "m") + " AND t." + eventTime + " = m.__backfill_max";
  }

  /** Keeps, per key, the rows that tie on the greatest event time; Java breaks the ties. */
  String latestPerKey() {
    return " QUALIFY rank() OVER (PARTITION BY " + keyColumns + " ORDER BY " + eventTime + " DESC) = 1";
  }

  /** The key columns of the table, for a temp table of keys. */
  String keyDefinitions() {
    return spec.keyColumns().stream()
        .map(k -> quote(k) + " " + DuckDbTypes.sqlType(spec.schema().field(k).orElseThrow().type()))
        .collect(Collectors.joining(", "));
  }

  List<String> keyNames() {
    return spec.keyColumns();
  }

  /**
   * A condition (without WHERE) that holds for the keys after {@code key} in the order of
   * {@code ORDER BY} the key columns: {@code k1 > v1 OR (k1 = v1 AND k2 > v2) ...}.
   */
  String after(EntityKey key) {
    List<String> names = spec.keyColumns();
    if (key.parts().size() != names.size()) {
      throw new IllegalArgumentException("key " + key + " has " + key.parts().size() + " parts; the key columns of '"
          + spec.name() + "' are " + names);
    }
    StringBuilder condition = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      StringBuilder term = new StringBuilder("(");
      for (int j = 0; j < i; j++) {
        term.append(quote(names.get(j))).append(" = ").append(keyLiteral(j, key)).append(" AND ");
      }
      term.append(quote(names.get(i))).append(" > ").append(keyLiteral(i, key)).append(')');
      condition.append(i == 0 ? "" : " OR ").append(term);
    }
    return condition.toString();
  }

  private String keyLiteral(int index, EntityKey key) {
    if (key.parts().size() != spec.keyColumns().size()) {
      throw new dev.backfill.api.StoreException("offline table '" + spec.name() + "': key " + key + " has "
          + key.parts().size() + " parts; the table's key columns are " + spec.keyColumns());
    }
    FieldType type = spec.schema().field(spec.keyColumns().get(index)).orElseThrow().type();
    Object value = key.parts().get(index);
    return switch (type) {
      case STRING -> DuckDbTypes.literal((String) value);
      case LONG -> (Long) value + "::BIGINT";
      // Through text: Double.toString's NaN, Infinity and -0.0 are DuckDB's too.
      case DOUBLE -> DuckDbTypes.literal(((Double) value).toString()) + "::DOUBLE";
      case BOOLEAN -> ((Boolean) value).toString();
      case TIMESTAMP -> timestampLiteral((java.time.Instant) value);
    };
  }

  /** The key columns as a schema: the rows of a query that selects {@link #keyColumns}. */
  Schema keySchema() {
    return Schema.of(spec.keyColumns().stream().map(k -> spec.schema().field(k).orElseThrow()).toList());
  }

  /** The key of a row of {@link #keySchema()}. */
  static EntityKey keyOf(Row keyRow) {
    Object[] parts = new Object[keyRow.schema().size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = keyRow.get(i);
    }
    return EntityKey.of(parts);
  }
}
