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

  TableSql(TableSpec spec) {
    this.spec = spec;
    this.log = "main." + quote(spec.name());
    this.latest = LATEST_SCHEMA + "." + quote(spec.name());
    this.columns = spec.schema().names().stream().map(DuckDbTypes::quote).collect(Collectors.joining(", "));
    this.eventTime = quote(spec.eventTimeColumn());
    this.keyColumns = spec.keyColumns().stream().map(DuckDbTypes::quote).collect(Collectors.joining(", "));
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

  /** {@code a.k1 = b.k1 AND a.k2 = b.k2 ...}: the key join of two aliases. */
  String keysEqual(String a, String b) {
    return spec.keyColumns().stream().map(k -> a + "." + quote(k) + " = " + b + "." + quote(k))
        .collect(Collectors.joining(" AND "));
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
    FieldType type = spec.schema().field(spec.keyColumns().get(index)).orElseThrow().type();
    Object value = key.parts().get(index);
    return switch (type) {
      case STRING -> DuckDbTypes.literal((String) value);
      case LONG -> value + "::BIGINT";
      // Through text: Double.toString's NaN, Infinity and -0.0 are DuckDB's too.
      case DOUBLE -> DuckDbTypes.literal(value.toString()) + "::DOUBLE";
      case BOOLEAN -> value.toString();
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
