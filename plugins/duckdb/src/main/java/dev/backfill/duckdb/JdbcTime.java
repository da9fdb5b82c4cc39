package dev.backfill.duckdb;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/**
 * How the jdbc source binds and reads one kind of time column as a UTC instant, whatever the
 * JVM's default zone and the session's zone: only {@code java.time} values with an explicit
 * offset, or none, cross the driver, never {@code java.sql.Timestamp} (which drivers convert
 * through the JVM's zone).
 */
enum JdbcTime {
  /** {@code TIMESTAMP WITH TIME ZONE} ({@code timestamptz}): the instant it denotes. */
  ZONED {
    @Override
    Object parameter(Instant t) {
      return clamp(t).atOffset(ZoneOffset.UTC);
    }

    @Override
    Instant read(ResultSet rs, int index) throws SQLException {
      OffsetDateTime value = rs.getObject(index, OffsetDateTime.class);
      return value == null ? null : value.toInstant();
    }
  },
  /** {@code TIMESTAMP} without a zone ({@code DATETIME}): a UTC wall-clock time. */
  LOCAL {
    @Override
    Instant read(ResultSet rs, int index) throws SQLException {
      LocalDateTime value = rs.getObject(index, LocalDateTime.class);
      return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
  },
  /** {@code DATE}: its midnight UTC; compared with a UTC wall-clock time. */
  DATE {
    @Override
    Instant read(ResultSet rs, int index) throws SQLException {
      LocalDate value = rs.getObject(index, LocalDate.class);
      return value == null ? null : value.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
  };

  private static final LocalDateTime EARLIEST = LocalDateTime.of(1, 1, 1, 0, 0);
  private static final LocalDateTime LATEST = LocalDateTime.of(9999, 12, 31, 23, 59, 59);

  /**
   * The value to bind for a bound of the range, compared with a column of this kind: a UTC
   * wall-clock time unless the column has a zone.
   */
  Object parameter(Instant t) {
    return clamp(t);
  }

  /** The column's value as an instant; null stays null. */
  abstract Instant read(ResultSet rs, int index) throws SQLException;

  /** Binds a bound of the range; see {@link #parameter}. */
  void bind(PreparedStatement statement, int index, Instant t) throws SQLException {
    statement.setObject(index, parameter(t));
  }

  /**
   * The kind of a result column, or empty when it holds no time. PostgreSQL's driver reports a
   * {@code timestamptz} as a plain {@link Types#TIMESTAMP}, so the type name decides too.
   */
  static Optional<JdbcTime> of(int sqlType, String typeName) {
    String name = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
    if (sqlType == Types.TIMESTAMP_WITH_TIMEZONE || name.equals("timestamptz") || name.contains("time zone")
        || name.equals("datetimeoffset")) {
      return Optional.of(ZONED);
    }
    return switch (sqlType) {
      case Types.TIMESTAMP -> Optional.of(LOCAL);
      case Types.DATE -> Optional.of(DATE);
      default -> Optional.empty();
    };
  }

  /** The UTC wall-clock time of an instant, clamped to what every database accepts. */
  private static LocalDateTime clamp(Instant t) {
    if (t.isBefore(EARLIEST.toInstant(ZoneOffset.UTC))) {
      return EARLIEST;
    }
    if (t.isAfter(LATEST.toInstant(ZoneOffset.UTC))) {
      return LATEST;
    }
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
