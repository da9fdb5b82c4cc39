package dev.backfill.duckdb.internal;

import dev.backfill.api.FieldType;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/**
 * The one mapping between Backfill's {@link FieldType}s and DuckDB's types, used by the store,
 * the sources and the transform alike so that a value means the same everywhere.
 *
 * <p>Timestamps are stored as DuckDB {@code TIMESTAMP} (microseconds, no zone) holding UTC; a
 * {@code TIMESTAMP WITH TIME ZONE} or a {@code DATE} read from a source becomes the UTC instant
 * it denotes (a date: its midnight UTC).
 */
public final class DuckDbTypes {
  private DuckDbTypes() {}

  /** The DuckDB column type that stores a field type exactly. */
  public static String sqlType(FieldType type) {
    return switch (type) {
      case STRING -> "VARCHAR";
      case LONG -> "BIGINT";
      case DOUBLE -> "DOUBLE";
      case BOOLEAN -> "BOOLEAN";
      case TIMESTAMP -> "TIMESTAMP";
    };
  }

  /**
   * The field type a DuckDB column type (as DESCRIBE or JDBC metadata names it) reads as, or
   * empty when Backfill has no type for it (lists, structs, blobs, intervals, ...).
   */
  public static Optional<FieldType> fieldType(String duckDbType) {
    String t = duckDbType.toUpperCase(Locale.ROOT).trim();
    if (t.startsWith("DECIMAL") || t.startsWith("NUMERIC")) {
      return Optional.of(FieldType.DOUBLE);
    }
    return switch (t) {
      case "VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR", "UUID", "ENUM" -> Optional.of(FieldType.STRING);
      case "BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT", "INT8", "INT4", "INT2", "INT1" ->
          Optional.of(FieldType.LONG);
      case "DOUBLE", "FLOAT", "REAL", "FLOAT8", "FLOAT4" -> Optional.of(FieldType.DOUBLE);
      case "BOOLEAN", "BOOL" -> Optional.of(FieldType.BOOLEAN);
      case "TIMESTAMP", "DATETIME", "TIMESTAMP_US", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "DATE",
           "TIMESTAMP_MS", "TIMESTAMP_S" -> Optional.of(FieldType.TIMESTAMP);
      default -> Optional.empty();
    };
  }

  /**
   * Reads column {@code index} (1-based) of the current row as the Java value of {@code type}:
   * String, Long, Double, Boolean or Instant (UTC); null stays null.
   */
  public static Object read(ResultSet rs, int index, FieldType type) throws SQLException {
    if (type == FieldType.TIMESTAMP && rs instanceof org.duckdb.DuckDBResultSet
        && rs.getMetaData().getColumnType(index) == java.sql.Types.TIMESTAMP) {
      // Straight to LocalDateTime: DuckDB's getObject first builds a java.sql.Timestamp through
      // the JVM's calendar, which was a third of reading the 100,000 latest rows of a reset.
      LocalDateTime local = rs.getObject(index, LocalDateTime.class);
      return local == null ? null : local.toInstant(ZoneOffset.UTC);
    }
    Object value = rs.getObject(index);
    if (value == null) {
      return null;
    }
    return switch (type) {
      case STRING -> value.toString();
      case LONG -> ((Number) value).longValue();
      case DOUBLE -> value instanceof BigDecimal d ? d.doubleValue() : ((Number) value).doubleValue();
      case BOOLEAN -> (Boolean) value;
      case TIMESTAMP -> toInstant(rs, index, value);
    };
  }

  private static Instant toInstant(ResultSet rs, int index, Object value) throws SQLException {
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof LocalDate date) {
      return date.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (value instanceof java.sql.Date) {
      return rs.getObject(index, LocalDate.class).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    // java.sql.Timestamp is interpreted in the JVM's zone; LocalDateTime is not.
    return rs.getObject(index, LocalDateTime.class).toInstant(ZoneOffset.UTC);
  }

  /**
   * Microseconds since the epoch, the resolution DuckDB keeps: exact for an instant kept to the
   * microsecond (a finer one is rounded down). Computed from seconds and nanoseconds, so that it
   * never overflows for an instant DuckDB can hold ({@code ChronoUnit.MICROS.between} counts
   * nanoseconds first and overflowed before 1677 and after 2262).
   */
  public static long epochMicros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), MICROS_PER_SECOND), t.getNano() / NANOS_PER_MICRO);
  }

  /**
   * A SQL literal of a range bound, UTC, rounded up to the next whole microsecond: a row (kept to
   * the microsecond) at {@code t} satisfies {@code t >= bound} or {@code t < bound} exactly as it
   * does against the unrounded bound, so a bound finer than a microsecond selects the same rows
   * here as in the engine. Instants beyond DuckDB's range (about 290,000 years either side of
   * 1970) become {@code -infinity} or {@code infinity}, which compare as such.
   */
  public static String timestampLiteral(Instant t) {
    if (Math.abs(t.getEpochSecond()) > MAX_LITERAL_SECONDS) {
      return t.getEpochSecond() < 0 ? "'-infinity'::TIMESTAMP" : "'infinity'::TIMESTAMP";
    }
    long micros = epochMicros(t) + (t.getNano() % NANOS_PER_MICRO == 0 ? 0 : 1);
    return "make_timestamp(" + micros + "::BIGINT)";
  }

  private static final long MAX_LITERAL_SECONDS = 9_000_000_000_000L;
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final int NANOS_PER_MICRO = 1_000;

  /** A double-quoted SQL identifier. */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A single-quoted SQL string literal. */
  public static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
