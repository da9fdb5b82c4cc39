package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.ResultSetRows.firstLine;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.duckdb.internal.ResultSetRows;
import dev.backfill.spi.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The rows of a query against any JDBC database whose driver is on the class path. The schema
 * comes from the query's result metadata; {@link #read} wraps the query as
 * {@code SELECT * FROM (query) WHERE time >= ? AND time < ?}, so the database filters the range.
 * Timestamps without a zone are taken as UTC, both in the parameters and in the values read.
 *
 * <p>Safe for concurrent reads: each read opens its own connection, closed with the stream.
 */
public final class JdbcSource implements DataSource {
  private static final LocalDateTime EARLIEST = LocalDateTime.of(1, 1, 1, 0, 0);
  private static final LocalDateTime LATEST = LocalDateTime.of(9999, 12, 31, 23, 59, 59);

  private final String url;
  private final String query;
  private final String timeColumn;
  private final Optional<String> user;
  private final Optional<String> password;
  private final Schema schema;

  private JdbcSource(String url, String query, String timeColumn, Optional<String> user, Optional<String> password) {
    this.url = url;
    this.query = query;
    this.timeColumn = timeColumn;
    this.user = user;
    this.password = password;
    this.schema = describe();
  }

  /**
   * A source over the query's rows.
   *
   * @throws IllegalArgumentException naming the option at fault: no driver for the {@code url},
   *     a {@code query} the database rejects, a {@code time-column} that is absent or not a
   *     timestamp or date, a column of a type Backfill cannot read
   */
  public static JdbcSource of(String url, String query, String timeColumn, Optional<String> user, Optional<String> password) {
    return new JdbcSource(Objects.requireNonNull(url, "url"), Objects.requireNonNull(query, "query"),
        Objects.requireNonNull(timeColumn, "timeColumn"), Objects.requireNonNull(user, "user"),
        Objects.requireNonNull(password, "password"));
  }

  private Connection connect() throws SQLException {
    return user.isPresent() ? DriverManager.getConnection(url, user.get(), password.orElse(null)) : DriverManager.getConnection(url);
  }

  private Schema describe() {
    try {
      DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw new IllegalArgumentException("option url '" + url + "': no JDBC driver on the class path accepts it; "
          + "add the database's driver jar to the class path", e);
    }
    List<Field> fields = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    int timeType = Types.NULL;
    String timeTypeName = null;
    try (Connection c = connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT * FROM (" + query + ") q WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        String name = meta.getColumnLabel(i);
        Optional<FieldType> type = fieldType(meta.getColumnType(i));
        if (name.equals(timeColumn)) {
          timeType = meta.getColumnType(i);
          timeTypeName = meta.getColumnTypeName(i);
        }
        if (type.isPresent()) {
          fields.add(new Field(name, type.get()));
        } else {
          unreadable.add("'" + name + "' " + meta.getColumnTypeName(i));
        }
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("option query '" + query + "' failed on " + url + ": " + firstLine(e), e);
    }
    if (timeTypeName == null) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' is not a column of the query's result; "
          + "its columns: " + fields.stream().map(Field::name).toList());
    }
    if (fieldType(timeType).orElse(null) != FieldType.TIMESTAMP) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' has type " + timeTypeName
          + "; expected a timestamp or date column");
    }
    if (!unreadable.isEmpty()) {
      throw new IllegalArgumentException("option query: column(s) " + String.join(", ", unreadable)
          + " have types Backfill cannot read; cast them in the query to text, integer, double, boolean or timestamp");
    }
    return Schema.of(fields);
  }

  private static Optional<FieldType> fieldType(int sqlType) {
    return switch (sqlType) {
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR, Types.LONGNVARCHAR -> Optional.of(FieldType.STRING);
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> Optional.of(FieldType.LONG);
      case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.DECIMAL, Types.NUMERIC -> Optional.of(FieldType.DOUBLE);
      case Types.BOOLEAN, Types.BIT -> Optional.of(FieldType.BOOLEAN);
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE -> Optional.of(FieldType.TIMESTAMP);
      default -> Optional.empty();
    };
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    Connection c = null;
    PreparedStatement s = null;
    try {
      c = connect();
      s = c.prepareStatement("SELECT * FROM (" + query + ") q WHERE q." + DuckDbTypes.quote(timeColumn) + " >= ? AND q."
          + DuckDbTypes.quote(timeColumn) + " < ?");
      s.setObject(1, utc(range.start()));
      s.setObject(2, utc(range.stop()));
      ResultSet rs = s.executeQuery();
      Connection connection = c;
      PreparedStatement statement = s;
      return ResultSetRows.stream(rs, schema, "read of the jdbc source " + url, () -> {
        try (connection; statement; rs) {
          // closed in reverse order
        }
      });
    } catch (SQLException e) {
      ResultSetRows.closeQuietly(s, c);
      throw new StoreException("reading the jdbc source " + url + " for " + range + " failed: " + firstLine(e), e);
    }
  }

  /** The UTC wall-clock time of an instant, clamped to what every database accepts. */
  private static LocalDateTime utc(Instant t) {
    if (t.isBefore(EARLIEST.toInstant(ZoneOffset.UTC))) {
      return EARLIEST;
    }
    if (t.isAfter(LATEST.toInstant(ZoneOffset.UTC))) {
      return LATEST;
    }
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
  }


  @Override
  public Optional<String> eventTimeColumn() {
    return Optional.of(timeColumn);
  }

  @Override
  public String toString() {
    return "jdbc source " + url + " (time column " + timeColumn + ")";
  }
}
