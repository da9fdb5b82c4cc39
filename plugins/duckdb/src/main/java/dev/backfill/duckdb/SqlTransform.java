package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.DuckDbTypes.quote;
import static dev.backfill.duckdb.internal.ResultSetRows.firstLine;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.duckdb.internal.DuckDbQueryTransform;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.duckdb.internal.QueryInterrupts;
import dev.backfill.duckdb.internal.ResultSetRows;
import dev.backfill.duckdb.internal.RowAppender;
import dev.backfill.spi.Transform;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A transform that is one DuckDB SELECT over the relation {@code source}: the input rows. The
 * query is parsed when the transform is made; its output schema is bound against the input
 * schema at planning, without reading data. {@link #apply} loads one slice's input rows into
 * DuckDB (which spills to disk when they are large), runs the query and streams its result.
 *
 * <p><b>It reads only its input.</b> By default the query runs in a sandboxed DuckDB database
 * ({@link DuckDbSession#connectSandbox()}): reading a file ({@code read_text}, {@code read_csv},
 * a file name as a table), a URL, another database or a table other than {@code source},
 * or loading an extension is refused with a one-line error naming what was refused, and so is
 * anything but one SELECT ({@code COPY}, {@code ATTACH}, {@code INSTALL}, {@code LOAD},
 * {@code SET}, {@code PRAGMA}, several statements). A trusted setup may lift the first group
 * with {@code allowExternalAccess}; the query is still one SELECT, and such a transform never
 * runs inside the DuckDB offline store (the fast path).
 *
 * <p>With a {@link #lookback()}, the engine reads the source from {@code start - lookback}, so a
 * window over the preceding rows (a rolling count, a moving average) sees its history; the
 * output rows before {@code start} are dropped by the engine. Safe for concurrent use: each
 * {@code apply} has its own DuckDB connection, closed with the returned stream.
 */
public final class SqlTransform implements Transform, DuckDbQueryTransform {
  private final String query;
  private final Duration lookback;
  private final boolean allowExternalAccess;
  private final Map<Schema, Schema> outputSchemas = new ConcurrentHashMap<>();

  private SqlTransform(String query, Duration lookback, boolean allowExternalAccess) {
    this.query = query;
    this.lookback = lookback;
    this.allowExternalAccess = allowExternalAccess;
  }

  /**
   * A transform running {@code query} in the sandbox: it reads nothing but its input rows.
   *
   * @throws IllegalArgumentException naming {@code query} when it does not parse, is not one
   *     SELECT, or reads no relation {@code source}; naming {@code lookback} when it is negative
   */
  public static SqlTransform of(String query, Duration lookback) {
    return of(query, lookback, false);
  }

  /**
   * A transform running {@code query}; with {@code allowExternalAccess} the query may also read
   * files and URLs and load extensions. Only for queries from a trusted
   * source: whoever writes such a query can read every file this process can.
   *
   * @throws IllegalArgumentException as {@link #of(String, Duration)}
   */
  public static SqlTransform of(String query, Duration lookback, boolean allowExternalAccess) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(lookback, "lookback");
    if (lookback.isNegative()) {
      throw new IllegalArgumentException("option lookback '" + lookback + "' is negative; give a duration such as PT6H or P7D");
    }
    return new SqlTransform(UserSql.checkText(query), lookback, allowExternalAccess);
  }

  /** The query, as given (without a trailing semicolon). */
  @Override
  public String query() {
    return query;
  }

  @Override
  public boolean allowsExternalAccess() {
    return allowExternalAccess;
  }

  @Override
  public Duration lookback() {
    return lookback;
  }

  /**
   * The columns of the query, bound and run over an empty {@code source} of the input schema.
   *
   * @throws IllegalArgumentException naming the query when DuckDB cannot bind it (an unknown
   *     column, say), when it reaches outside {@code source} without external access, or when an
   *     output column has a type Backfill cannot read
   */
  @Override
  public Schema outputSchema(Schema input) {
    return outputSchemas.computeIfAbsent(input, in -> {
      try {
        return UserSql.check(connect(), query, in);
      } catch (SQLException e) {
        throw new IllegalArgumentException("option query '" + query + "' cannot be checked: " + firstLine(e), e);
      }
    });
  }

  private DuckDBConnection connect() throws SQLException {
    return allowExternalAccess ? DuckDbSession.connect() : DuckDbSession.connectSandbox();
  }

  /**
   * Runs the query over the input rows. They all have one schema (a source's); no input rows
   * give no output rows. Closing the input stream from another thread while the query runs (as
   * a cancelled backfill does) interrupts the query; closing the returned stream early
   * interrupts its fetch.
   */
  @Override
  public Stream<Row> apply(Stream<Row> source) {
    // The query runs before the output stream exists, so only the input can reach it.
    InputWatch watch = new InputWatch();
    Stream<Row> input = source.onClose(watch::inputClosed);
    Iterator<Row> rows = input.iterator();
    if (!rows.hasNext()) {
      input.close();
      return Stream.empty();
    }
    Row first = rows.next();
    Schema inputSchema = first.schema();
    Schema output = outputSchema(inputSchema);
    DuckDBConnection c = null;
    Statement s = null;
    QueryInterrupts.Guard guard = null;
    try (input) {
      c = connect();
      guard = new QueryInterrupts.Guard(c, "the sql transform '" + query + "'");
      s = c.createStatement();
      s.execute("CREATE TEMP TABLE source (" + UserSql.sourceColumns(inputSchema) + ")");
      RowAppender appender = new RowAppender(inputSchema);
      try (DuckDBAppender duck = c.createAppender("temp", "main", "source")) {
        appender.append(duck, first);
        while (rows.hasNext()) {
          appender.append(duck, rows.next());
        }
      }
      String casts = output.fields().stream()
          .map(f -> "CAST(q." + quote(f.name()) + " AS " + DuckDbTypes.sqlType(f.type()) + ") AS " + quote(f.name()))
          .collect(Collectors.joining(", "));
      Statement statement = s;
      watch.queryStarting(guard);
      String select = "SELECT " + casts + " FROM " + UserSql.asSubquery(query) + " q";
      ResultSet rs = guard.run(() -> statement.executeQuery(select));
      // From here closing the input (which this method does on return) must not touch the query.
      watch.queryRunning();
      guard.detach();
      DuckDBConnection connection = c;
      return ResultSetRows.stream(rs, output, "sql transform", () -> {
        try (connection; statement; rs) {
          // closed in reverse order
        }
      });
    } catch (SQLException e) {
      closeQuietly(guard, s, c);
      throw new StoreException("the sql transform '" + query + "' failed: " + firstLine(e), e);
    } catch (RuntimeException e) {
      closeQuietly(guard, s, c);
      throw e;
    }
  }

  /**
   * Whether one apply's input was closed by someone else before its query has run: then the
   * query is cancelled, or never starts. (A closed input need not stop the loop that loads it:
   * an in-memory stream reads on after its close.)
   */
  private static final class InputWatch {
    private boolean closed;
    private QueryInterrupts.Guard query;

    synchronized void inputClosed() {
      closed = true;
      if (query != null) {
        query.cancel();
      }
    }

    synchronized void queryStarting(QueryInterrupts.Guard guard) {
      query = guard;
      if (closed) {
        guard.cancel();
      }
    }

    /** The query has its result: its close interrupts it from now on, not the input's. */
    synchronized void queryRunning() {
      query = null;
    }
  }

  private static void closeQuietly(QueryInterrupts.Guard guard, Statement s, DuckDBConnection c) {
    if (guard != null) {
      guard.detach();
    }
    ResultSetRows.closeQuietly(s, c);
  }

  @Override
  public String toString() {
    return "sql transform '" + query + "'" + (lookback.isZero() ? "" : " (lookback " + lookback + ")")
        + (allowExternalAccess ? " (external access allowed)" : "");
  }
}
