package dev.backfill.duckdb.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * The process's in-memory DuckDB database in which the csv and parquet sources and the sql
 * transform run their queries. Every caller gets its own connection (DuckDB connections are
 * not for concurrent use) and closes it. The database's time zone is UTC, so that a timestamp
 * without a zone means UTC and a TIMESTAMP WITH TIME ZONE converts to UTC; large intermediate
 * results spill to a private temporary directory.
 */
public final class DuckDbSession {
  private static DuckDBConnection root;

  private DuckDbSession() {}

  /** A new connection to the shared in-memory database; the caller closes it. */
  public static DuckDBConnection connect() throws SQLException {
    return (DuckDBConnection) root().duplicate();
  }

  private static synchronized DuckDBConnection root() throws SQLException {
    if (root == null) {
      Properties properties = new Properties();
      properties.setProperty("jdbc_stream_results", "true");
      DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", properties);
      try (Statement s = connection.createStatement()) {
        useUtc(s);
        Path spill = Files.createTempDirectory("backfill-duckdb-");
        spill.toFile().deleteOnExit();
        s.execute("SET temp_directory = " + DuckDbTypes.literal(spill.toString()));
      } catch (IOException e) {
        connection.close();
        throw new UncheckedIOException("cannot create a temporary directory for DuckDB", e);
      }
      root = connection;
    }
    return root;
  }

  /** Makes UTC the time zone of every connection of the statement's database. */
  public static void useUtc(Statement statement) throws SQLException {
    statement.execute("SET GLOBAL TimeZone = 'UTC'");
  }
}
