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
import dev.backfill.spi.PluginDefinition;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The rows of a query against any JDBC database whose driver is on the class path. The schema
 * comes from the query's result metadata; {@link #read} wraps the query as
 * {@code SELECT * FROM (query) q WHERE q.time >= ? AND q.time < ?}, the time column quoted with
 * the driver's own identifier quote ({@link DatabaseMetaData#getIdentifierQuoteString()}), so
 * the database filters the range.
 *
 * <p><b>Times are UTC, whatever the JVM's zone.</b> A {@code TIMESTAMP WITH TIME ZONE} is its
 * instant; a {@code TIMESTAMP} without a zone is a UTC wall-clock time; a {@code DATE} is its
 * midnight UTC. The bounds are bound and the values read as {@code java.time} values of that
 * kind ({@link JdbcTime}), never through the JVM's default zone. On PostgreSQL, MySQL, MariaDB
 * and DuckDB each connection's session time zone is also set to UTC, so that a MySQL or MariaDB
 * {@code TIMESTAMP} (an instant shown in the session's zone) reads as its instant, and the
 * query's own date arithmetic is done in UTC.
 *
 * <p>It has no {@link #fingerprint()}: a database changes by its own rules, so the engine cannot
 * tell whether the rows changed during a backfill; point the query at data that no longer
 * changes.
 *
 * <p>Safe for concurrent reads: each read opens its own connection, closed with the stream.
 */
public final class JdbcSource implements DataSource {
  private final String url;
  private final String query;
  private final String timeColumn;
  private final Optional<String> user;
  private final Optional<String> password;
  private final Schema schema;
  private final ResultSetRows.ColumnReader[] readers;
  private final JdbcTime timeKind;
  private final String quotedTimeColumn;

  /** What the query's result metadata says: the schema, how to read each column and the time column. */
  private record Description(Schema schema, ResultSetRows.ColumnReader[] readers, JdbcTime timeKind, String quotedTimeColumn) {}

  private JdbcSource(String url, String query, String timeColumn, Optional<String> user, Optional<String> password) {
    this.url = url;
    this.query = query;
    this.timeColumn = timeColumn;
    this.user = user;
    this.password = password;
    Description description = describe();
    this.schema = description.schema();
    this.readers = description.readers();
    this.timeKind = description.timeKind();
    this.quotedTimeColumn = description.quotedTimeColumn();
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

  /** A connection whose session time zone is UTC where the database has a known way to say so. */
  private Connection connect() throws SQLException {
    Connection c = user.isPresent() ? DriverManager.getConnection(url, user.get(), password.orElse(null)) : DriverManager.getConnection(url);
    try {
      Optional<String> utc = utcSessionStatement(c.getMetaData().getDatabaseProductName());
      if (utc.isPresent()) {
        try (Statement s = c.createStatement()) {
          s.execute(utc.get());
        }
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      ResultSetRows.closeQuietly(c);
      throw e;
    }
  }

  private static Optional<String> utcSessionStatement(String product) {
    String name = String.valueOf(product).toLowerCase(Locale.ROOT);
    if (name.contains("postgres")) {
      return Optional.of("SET TIME ZONE 'UTC'");
    }
    if (name.contains("mysql") || name.contains("mariadb")) {
      return Optional.of("SET time_zone = '+00:00'");
    }
    if (name.contains("duckdb")) {
      return Optional.of("SET SESSION TimeZone = 'UTC'");
    }
    return Optional.empty();
  }

  private Description describe() {
    try {
      DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw new IllegalArgumentException("option url '" + url + "': no JDBC driver on the class path accepts it; "
          + "add the database's driver jar to the class path", e);
    }
    List<Field> fields = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    List<ResultSetRows.ColumnReader> columnReaders = new ArrayList<>();
    String timeTypeName = null;
    JdbcTime timeKind = null;
    String quotedTimeColumn;
    try (Connection c = connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT * FROM (" + query + ") q WHERE 1 = 0")) {
      quotedTimeColumn = quote(timeColumn, c.getMetaData().getIdentifierQuoteString());
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        String name = meta.getColumnLabel(i);
        Optional<JdbcTime> time = JdbcTime.of(meta.getColumnType(i), meta.getColumnTypeName(i));
        Optional<FieldType> type = time.isPresent() ? Optional.of(FieldType.TIMESTAMP) : fieldType(meta.getColumnType(i));
        if (name.equals(timeColumn)) {
          timeTypeName = meta.getColumnTypeName(i);
          timeKind = time.orElse(null);
        }
        if (type.isPresent()) {
          fields.add(new Field(name, type.get()));
          columnReaders.add(time.isPresent() ? time.get()::read : readerOf(type.get()));
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
    if (timeKind == null) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' has type " + timeTypeName
          + "; expected a timestamp or date column");
    }
    if (!unreadable.isEmpty()) {
      throw new IllegalArgumentException("option query: column(s) " + String.join(", ", unreadable)
          + " have types Backfill cannot read; cast them in the query to text, integer, double, boolean or timestamp");
    }
    return new Description(Schema.of(fields), columnReaders.toArray(ResultSetRows.ColumnReader[]::new), timeKind,
        quotedTimeColumn);
  }

  private static ResultSetRows.ColumnReader readerOf(FieldType type) {
    return (rs, index) -> DuckDbTypes.read(rs, index, type);
  }

  /**
   * An identifier quoted as the database quotes identifiers: MySQL and MariaDB read
   * {@code "ts"} as a string constant unless in ANSI mode. A blank quote means the database
   * does not quote identifiers.
   */
  private static String quote(String identifier, String quote) {
    if (quote == null || quote.isBlank()) {
      return identifier;
    }
    return quote + identifier.replace(quote, quote + quote) + quote;
  }

  private static Optional<FieldType> fieldType(int sqlType) {
    return switch (sqlType) {
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR, Types.LONGNVARCHAR -> Optional.of(FieldType.STRING);
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> Optional.of(FieldType.LONG);
      case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.DECIMAL, Types.NUMERIC -> Optional.of(FieldType.DOUBLE);
      case Types.BOOLEAN, Types.BIT -> Optional.of(FieldType.BOOLEAN);
      default -> Optional.empty();
    };
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    return select("q." + quotedTimeColumn + " >= ? AND q." + quotedTimeColumn + " < ?", s -> {
      timeKind.bind(s, 1, range.start());
      timeKind.bind(s, 2, range.stop());
    }, "for " + range);
  }

  /** The query's rows whose time column is null: the query runs once more, filtered. */
  @Override
  public Stream<Row> readWithoutEventTime() {
    return select("q." + quotedTimeColumn + " IS NULL", s -> { }, "for its rows without a time");
  }

  /** Binds the parameters of a {@link #select} condition. */
  private interface Parameters {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private Stream<Row> select(String condition, Parameters parameters, String forWhat) {
    Connection c = null;
    PreparedStatement s = null;
    try {
      c = connect();
      s = c.prepareStatement("SELECT * FROM (" + query + ") q WHERE " + condition);
      parameters.bind(s);
      ResultSet rs = s.executeQuery();
      Connection connection = c;
      PreparedStatement statement = s;
      return ResultSetRows.stream(rs, schema, readers, "read of the jdbc source " + url, () -> {
        try (connection; statement; rs) {
          // closed in reverse order
        }
      });
    } catch (SQLException e) {
      ResultSetRows.closeQuietly(s, c);
      throw new StoreException("reading the jdbc source " + url + " " + forWhat + " failed: " + firstLine(e), e);
    }
  }

  @Override
  public Optional<String> eventTimeColumn() {
    return Optional.of(timeColumn);
  }

  @Override
  public String toString() {
    return "jdbc source " + url + " query '" + query + "' (time column " + timeColumn + ")";
  }

  /** Type {@code jdbc} with the options it was made from. */
  @Override
  public Optional<PluginDefinition> definition() {
    Map<String, String> options = new java.util.HashMap<>(Map.of("url", url, "query", query, "time-column", timeColumn));
    user.ifPresent(u -> options.put("user", u));
    password.ifPresent(p -> options.put("password", p));
    return Optional.of(new PluginDefinition("jdbc", options));
  }
}
