package dev.backfill.duckdb.internal;

import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.sql.SQLException;
import java.time.Instant;
import org.duckdb.DuckDBAppender;

/**
 * Appends {@link Row}s of one schema to a DuckDB appender whose table has the same columns in
 * the same order, with the types of {@link DuckDbTypes#sqlType}.
 */
public final class RowAppender {
  private final FieldType[] types;

  public RowAppender(Schema schema) {
    this.types = schema.fields().stream().map(f -> f.type()).toArray(FieldType[]::new);
  }

  /** Appends one row; the row must have the schema's columns in order. */
  public void append(DuckDBAppender appender, Row row) throws SQLException {
    appender.beginRow();
    for (int i = 0; i < types.length; i++) {
      appendValue(appender, types[i], row.get(i));
    }
    appender.endRow();
  }

  /** Appends one value of the given type; null appends SQL NULL. */
  public static void appendValue(DuckDBAppender appender, FieldType type, Object value) throws SQLException {
    if (value == null) {
      appender.appendNull();
      return;
    }
    switch (type) {
      case STRING -> appender.append((String) value);
      case LONG -> appender.append(((Number) value).longValue());
      case DOUBLE -> appender.append(((Number) value).doubleValue());
      case BOOLEAN -> appender.append((boolean) (Boolean) value);
      case TIMESTAMP -> appender.appendEpochMicros(DuckDbTypes.epochMicros((Instant) value));
    }
  }
}
