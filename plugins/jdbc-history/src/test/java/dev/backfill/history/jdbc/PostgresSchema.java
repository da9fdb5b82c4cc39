package dev.backfill.history.jdbc;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.JobHistorySnapshot;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A schema of its own in the test database on 127.0.0.1:5432 for one test class, so that parallel
 * builds never see each other's jobs; dropped with everything in it by {@link #close()}.
 */
final class PostgresSchema implements AutoCloseable {
  static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String USER = "postgres";

  final String name;

  PostgresSchema(String prefix) {
    this.name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase(Locale.ROOT);
  }

  /** The options of a jdbc history in this schema, with the lease given. */
  Map<String, String> options(String lease) {
    return Map.of("url", URL, "user", USER, "schema", name, "lease", lease);
  }

  /** Runs SQL as the test's own connection (to look at or change the history's tables). */
  void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** One value of a query. */
  Object queryValue(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement s = c.createStatement();
         var rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getObject(1) : null;
    }
  }

  /**
   * Waits up to 60 s until the history in this schema, read without a client (a client would
   * take over expired jobs itself), records the job with the status.
   */
  void awaitRecorded(String lease, String job, BackfillStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (JobHistorySnapshot.read("jdbc", options(lease)).job(job).map(BackfillJob::status).orElse(null) == status) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + job + " was not recorded " + status + " within 60 s");
  }

  @Override
  public void close() throws SQLException {
    execute("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
  }
}
