package dev.backfill.duckdb.internal;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * The process's two in-memory DuckDB databases. {@link #connect()} is the one that reads files:
 * the csv and parquet sources run their queries there, and so do sql transforms that were
 * explicitly allowed external access. {@link #connectSandbox()} is the one that runs users' SQL:
 * it can reach no file, network address, other database or extension
 * ({@code enable_external_access}, {@code autoinstall_known_extensions} and
 * {@code autoload_known_extensions} off), so a query there reads only the tables made on its own
 * connection.
 *
 * <p>Both databases use UTC, so that a timestamp without a zone means UTC and a TIMESTAMP WITH
 * TIME ZONE converts to UTC, spill large intermediate results to a private temporary directory
 * ({@link SpillDirectory}: created by DuckDB only when it spills). Their memory and threads
 * follow the running backfills' cluster templates ({@link #limits()}), so their configuration is
 * not locked: DuckDB's {@code lock_configuration} is all or nothing. No user's query can change
 * a setting all the same: a sql transform must be exactly one SELECT ({@code UserSql}), which
 * cannot set anything, and DuckDB refuses to turn external access back on while the sandbox
 * runs. Every caller gets its own connection (DuckDB connections are not for concurrent use)
 * and closes it.
 */
public final class DuckDbSession {
  private static final Map<String, String> SANDBOX = Map.of(
      "enable_external_access", "false",
      "autoinstall_known_extensions", "false",
      "autoload_known_extensions", "false");

  private static DuckDBConnection files;
  private static DuckDBConnection sandbox;
  private static TemplateLimits limits = TemplateLimits.machineDefaults();

  private DuckDbSession() {}

  /**
   * The memory and threads of each of the two databases, from when they are next opened: a
   * {@code duckdb} offline store's options set them (the store is opened before any source is
   * read). Databases already open keep theirs.
   *
   * @return whether the settings take effect (false when a database is already open with others)
   */
  public static synchronized boolean configure(TemplateLimits settings) {
    if (files == null && sandbox == null) {
      limits = settings.copy();
      return true;
    }
    return settings.sameOptions(limits);
  }

  /** The settings the two databases are opened with. */
  public static synchronized DuckDbResources resources() {
    return limits.opened();
  }

  /**
   * The settings of the two databases while backfills run: a {@code duckdb} offline store's
   * replacement starts its job's template here, as on its own database.
   */
  public static synchronized TemplateLimits limits() {
    return limits;
  }

  /** A new connection to the database that reads files; the caller closes it. */
  public static DuckDBConnection connect() throws SQLException {
    return (DuckDBConnection) files().duplicate();
  }

  /** A new connection to the sandbox, which reads nothing outside itself; the caller closes it. */
  public static DuckDBConnection connectSandbox() throws SQLException {
    return (DuckDBConnection) sandbox().duplicate();
  }

  private static synchronized DuckDBConnection files() throws SQLException {
    if (files == null) {
      files = open(Map.of());
    }
    return files;
  }

  private static synchronized DuckDBConnection sandbox() throws SQLException {
    if (sandbox == null) {
      sandbox = open(SANDBOX);
    }
    return sandbox;
  }

  private static synchronized DuckDBConnection open(Map<String, String> settings) throws SQLException {
    Path spill = SpillDirectory.next();
    Properties properties = new Properties();
    properties.setProperty("jdbc_stream_results", "true");
    // Set at startup: with external access off, DuckDB refuses to change the temporary directory.
    properties.setProperty("temp_directory", spill.toString());
    settings.forEach(properties::setProperty);
    // Under the limits' lock: a backfill starting meanwhile must find the database attached.
    synchronized (limits) {
      limits.current().applyTo(properties);
      DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", properties);
      try (Statement s = connection.createStatement()) {
        useUtc(s);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      limits.attach(connection);
      return connection;
    }
  }

  /** Makes UTC the time zone of every connection of the statement's database. */
  public static void useUtc(Statement statement) throws SQLException {
    statement.execute("SET GLOBAL TimeZone = 'UTC'");
  }
}
