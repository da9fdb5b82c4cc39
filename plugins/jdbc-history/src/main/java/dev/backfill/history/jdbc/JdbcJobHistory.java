package dev.backfill.history.jdbc;

import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.JobEntry;
import dev.backfill.spi.JobHistory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job history in one table of a PostgreSQL database, shared by every client that names it.
 *
 * <p><b>Conflicts.</b> {@link #submit} runs in one transaction that first takes a transaction
 * advisory lock of the feature set, then reads the unfinished jobs of the feature set and
 * inserts the new one: two submissions of one feature set are serialised, and the second one
 * reads the first's row (READ COMMITTED reads after the lock is granted), so two overlapping
 * jobs are never both recorded as unfinished, from whatever processes.
 *
 * <p><b>Leases.</b> Each row names its holder (a random id of this history instance, its host and
 * process) and a lease end in the database's clock, so the clocks of the clients' machines never
 * matter. {@link #renewLeases()} extends the leases of the holder's jobs that need finishing.
 * {@link #takeOverExpired()} claims expired ones with {@code FOR UPDATE SKIP LOCKED} and checks
 * the expiry again in the update, which PostgreSQL re-evaluates on the row's latest version: two
 * clients racing never both claim a job. {@link #save} only updates a row its holder still holds.
 *
 * <p>One connection, used by one call at a time; a connection the server dropped is opened again
 * (once per call), so a session the server ended costs a warning. A server down for longer than
 * the lease lets another client take a job over when it is back; the first client's next record
 * of the job is then refused, and before its offline commit that stops the job.
 */
final class JdbcJobHistory implements JobHistory {
  private static final Logger log = LoggerFactory.getLogger(JdbcJobHistory.class);
  /** The version of the tables this code writes; a history of a newer one is refused. */
  static final int SCHEMA_VERSION = 1;
  private static final String COLUMNS = "id, feature_set, range_start, range_stop, status, committed, needs_finishing, "
      + "document, host, pid, needs_finishing AND lease_until > clock_timestamp() AS live";
  private static final String UNFINISHED = "status IN ('PENDING', 'RUNNING')";

  private final JdbcSettings settings;
  private final String jobs;
  private final String owner = UUID.randomUUID().toString();
  private final String host = hostName();
  private final long pid = ProcessHandle.current().pid();
  private Connection connection;
  private boolean closed;
  /** Opened for reading where the tables do not exist (yet): no jobs, and nothing to create. */
  private boolean absent;

  private JdbcJobHistory(JdbcSettings settings) {
    this.settings = settings;
    this.jobs = quote(settings.schema()) + ".backfill_jobs";
  }

  /**
   * Connects, creates the tables on first use and checks their version.
   *
   * @throws StoreException in one line naming the host and database: unreachable, refused login,
   *     or tables of a newer version
   */
  static JdbcJobHistory open(JdbcSettings settings, boolean forWriting) {
    JdbcJobHistory history = new JdbcJobHistory(settings);
    try {
      history.connection = history.connect();
      if (forWriting) {
        history.createTables();
      } else {
        history.checkVersionForReading();
      }
    } catch (SQLException e) {
      history.closeQuietly();
      throw history.failure("opening the job history", e);
    } catch (RuntimeException e) {
      history.closeQuietly();
      throw e;
    }
    return history;
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (settings.user() != null) {
      properties.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      properties.setProperty("password", settings.password());
    }
    properties.setProperty("connectTimeout", "10");
    // Names the process, so that an operator (or a test) can tell its sessions in pg_stat_activity.
    properties.setProperty("ApplicationName", applicationName());
    try {
      Connection c = DriverManager.getConnection(settings.url().url(), properties);
      c.setAutoCommit(true);
      return c;
    } catch (SQLException e) {
      throw new SQLException("cannot connect: " + firstLine(e) + hint(e), e.getSQLState(), e);
    }
  }

  /** {@code backfill job history (process 4242)}: this process's sessions in {@code pg_stat_activity}. */
  static String applicationName() {
    return "backfill job history (process " + ProcessHandle.current().pid() + ")";
  }

  private static String hint(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("28")) {
      return "; check the options user and password";
    }
    if (state.equals("3D000")) {
      return "; create the database or name another in the url";
    }
    if (state.startsWith("08")) {
      return "; check that PostgreSQL runs there and the url's host and port";
    }
    return "";
  }

  private void createTables() throws SQLException {
    String schema = quote(settings.schema());
    String version = schema + ".backfill_history_version";
    inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        // Concurrent first uses would race on the catalog: one at a time, across processes.
        s.execute("SELECT pg_advisory_xact_lock(hashtext('backfill job history schema'))");
        s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        s.execute("CREATE TABLE IF NOT EXISTS " + version + " (version integer NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS " + jobs + " (id text PRIMARY KEY, feature_set text NOT NULL, "
            + "range_start text, range_stop text, status text NOT NULL, committed boolean NOT NULL, "
            + "needs_finishing boolean NOT NULL, document text NOT NULL, owner text NOT NULL, host text NOT NULL, "
            + "pid bigint NOT NULL, lease_until timestamptz NOT NULL, cancel_requested boolean NOT NULL DEFAULT false, "
            + "updated_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        s.execute("CREATE INDEX IF NOT EXISTS backfill_jobs_unfinished ON " + jobs + " (feature_set) WHERE needs_finishing");
        Integer found = null;
        try (ResultSet rs = s.executeQuery("SELECT max(version) FROM " + version)) {
          if (rs.next()) {
            int v = rs.getInt(1);
            found = rs.wasNull() ? null : v;
          }
        }
        if (found == null) {
          s.execute("INSERT INTO " + version + " VALUES (" + SCHEMA_VERSION + ")");
        } else if (found > SCHEMA_VERSION) {
          throw newer(found);
        }
      }
      return null;
    });
  }

  /** Reads the version without creating anything; a history without tables is absent (no jobs). */
  private void checkVersionForReading() throws SQLException {
    String schema = quote(settings.schema());
    try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL AND "
        + "to_regclass(?) IS NOT NULL")) {
      exists.setString(1, schema + ".backfill_history_version");
      exists.setString(2, jobs);
      try (ResultSet rs = exists.executeQuery()) {
        absent = !(rs.next() && rs.getBoolean(1));
      }
    }
    if (absent) {
      return;
    }
    try (Statement s = connection.createStatement();
         ResultSet rs = s.executeQuery("SELECT max(version) FROM " + schema + ".backfill_history_version")) {
      int found = rs.next() ? rs.getInt(1) : 0;
      if (found > SCHEMA_VERSION) {
        throw newer(found);
      }
    }
  }

  private StoreException newer(int found) {
    return new StoreException("job history on " + settings.url().describe() + ", schema '" + settings.schema()
        + "': its tables are of version " + found + ", newer than this Backfill's " + SCHEMA_VERSION
        + "; use the Backfill release that wrote them or a newer one (a history is never migrated down)");
  }

  @Override
  public synchronized void submit(JobEntry entry) {
    call("recording backfill job " + entry.id(), () -> inTransaction(c -> {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
        lock.setString(1, "backfill feature set " + entry.featureSet());
        lock.execute();
      }
      try (PreparedStatement running = c.prepareStatement("SELECT " + COLUMNS + ", lease_until FROM " + jobs
          + " WHERE feature_set = ? AND " + UNFINISHED)) {
        running.setString(1, entry.featureSet());
        try (ResultSet rs = running.executeQuery()) {
          while (rs.next()) {
            JobEntry other = entry(rs);
            if (other.overlaps(entry.featureSet(), entry.scope())) {
              throw conflict(entry, other, rs.getString("host"), rs.getLong("pid"), rs.getBoolean("live"),
                  rs.getTimestamp("lease_until").toInstant());
            }
          }
        }
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + jobs + " (id, feature_set, range_start, "
          + "range_stop, status, committed, needs_finishing, document, owner, host, pid, lease_until) VALUES "
          + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, clock_timestamp() + ? * interval '1 millisecond')")) {
        insert.setString(1, entry.id());
        insert.setString(2, entry.featureSet());
        insert.setString(3, entry.scope().map(r -> r.start().toString()).orElse(null));
        insert.setString(4, entry.scope().map(r -> r.stop().toString()).orElse(null));
        insert.setString(5, entry.status().name());
        insert.setBoolean(6, entry.committed());
        insert.setBoolean(7, entry.needsFinishing());
        insert.setString(8, entry.document());
        insert.setString(9, owner);
        insert.setString(10, host);
        insert.setLong(11, pid);
        insert.setLong(12, settings.lease().toMillis());
        insert.executeUpdate();
      }
      return null;
    }));
  }

  private BackfillConflictException conflict(JobEntry wanted, JobEntry running, String runningHost, long runningPid,
      boolean live, Instant leaseUntil) {
    String where = "on host " + runningHost + ", process " + runningPid;
    return new BackfillConflictException("feature set '" + wanted.featureSet() + "': backfill job " + running.id()
        + (live ? " is running " + where : " was running " + where + ", whose lease expired at " + leaseUntil
            + " (the process stopped: the next heartbeat of any client takes the job over and settles it)")
        + " " + running.scope().map(r -> "over " + r).orElse("as a reset of all data") + ", which overlaps the requested "
        + wanted.scope().map(TimeRange::toString).orElse("reset") + "; wait for it or cancel it "
        + "(backfill features cancel --job " + running.id() + "), or backfill a disjoint interval", running.id());
  }

  @Override
  public synchronized void save(JobEntry entry) {
    int updated = call("recording backfill job " + entry.id(), () -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE " + jobs + " SET status = ?, committed = ?, "
          + "needs_finishing = ?, document = ?, updated_at = clock_timestamp() WHERE id = ? AND owner = ?")) {
        update.setString(1, entry.status().name());
        update.setBoolean(2, entry.committed());
        update.setBoolean(3, entry.needsFinishing());
        update.setString(4, entry.document());
        update.setString(5, entry.id());
        update.setString(6, owner);
        return update.executeUpdate();
      }
    });
    if (updated == 0) {
      Optional<JobEntry> now = find(entry.id());
      throw new StoreException("job history on " + settings.url().describe() + ": backfill job " + entry.id()
          + now.map(e -> " is held by another client now" + e.holder().map(h -> " (" + h + ")").orElse("")
              + ": this client's lease expired and that client took the job over; this client no longer records it")
              .orElse(" is no longer in the history (its feature set was dropped); it is not recorded"));
    }
  }

  @Override
  public synchronized void delete(String jobId) {
    call("deleting backfill job " + jobId, () -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + jobs + " WHERE id = ?")) {
        delete.setString(1, jobId);
        return delete.executeUpdate();
      }
    });
  }

  @Override
  public synchronized List<JobEntry> load() {
    if (absent) {
      return List.of();
    }
    return call("reading the jobs", () -> {
      try (Statement s = connection.createStatement();
           ResultSet rs = s.executeQuery("SELECT " + COLUMNS + " FROM " + jobs)) {
        List<JobEntry> entries = new ArrayList<>();
        while (rs.next()) {
          entries.add(entry(rs));
        }
        return entries;
      }
    });
  }

  @Override
  public synchronized Optional<JobEntry> find(String jobId) {
    if (absent) {
      return Optional.empty();
    }
    return call("reading backfill job " + jobId, () -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + jobs + " WHERE id = ?")) {
        select.setString(1, jobId);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(entry(rs)) : Optional.<JobEntry>empty();
        }
      }
    });
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public Duration lease() {
    return settings.lease();
  }

  @Override
  public synchronized Set<String> renewLeases() {
    return call("renewing the leases of this client's jobs", () -> {
      try (PreparedStatement renew = connection.prepareStatement("UPDATE " + jobs + " SET lease_until = "
          + "clock_timestamp() + ? * interval '1 millisecond' WHERE owner = ? AND needs_finishing "
          + "RETURNING id, cancel_requested")) {
        renew.setLong(1, settings.lease().toMillis());
        renew.setString(2, owner);
        Set<String> cancel = new HashSet<>();
        try (ResultSet rs = renew.executeQuery()) {
          while (rs.next()) {
            if (rs.getBoolean(2)) {
              cancel.add(rs.getString(1));
            }
          }
        }
        return cancel;
      }
    });
  }

  @Override
  public synchronized List<JobEntry> takeOverExpired() {
    return call("taking over the jobs of stopped clients", () -> {
      String expired = "needs_finishing AND lease_until < clock_timestamp()";
      try (PreparedStatement take = connection.prepareStatement("UPDATE " + jobs + " SET owner = ?, host = ?, pid = ?, "
          + "lease_until = clock_timestamp() + ? * interval '1 millisecond', cancel_requested = false WHERE id IN "
          + "(SELECT id FROM " + jobs + " WHERE " + expired + " FOR UPDATE SKIP LOCKED) AND " + expired
          + " RETURNING " + COLUMNS)) {
        take.setString(1, owner);
        take.setString(2, host);
        take.setLong(3, pid);
        take.setLong(4, settings.lease().toMillis());
        List<JobEntry> taken = new ArrayList<>();
        try (ResultSet rs = take.executeQuery()) {
          while (rs.next()) {
            taken.add(entry(rs));
          }
        }
        return taken;
      }
    });
  }

  @Override
  public synchronized boolean requestCancel(String jobId) {
    int requested = call("asking for the cancellation of backfill job " + jobId, () -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE " + jobs + " SET cancel_requested = true "
          + "WHERE id = ? AND " + UNFINISHED + " AND NOT committed")) {
        update.setString(1, jobId);
        return update.executeUpdate();
      }
    });
    if (requested == 1) {
      return true;
    }
    if (find(jobId).isEmpty()) {
      throw new InvalidBackfillRequestException("unknown backfill job '" + jobId + "' in the job history on "
          + settings.url().describe() + "; list the jobs with 'backfill features list-backfills'");
    }
    return false;
  }

  /** A row as an entry: its holder is named while its lease holds. */
  private static JobEntry entry(ResultSet rs) throws SQLException {
    String start = rs.getString("range_start");
    String stop = rs.getString("range_stop");
    Optional<TimeRange> scope = start == null ? Optional.empty()
        : Optional.of(TimeRange.of(Instant.parse(start), Instant.parse(stop)));
    Optional<String> holder = rs.getBoolean("live")
        ? Optional.of("host " + rs.getString("host") + ", process " + rs.getLong("pid")) : Optional.empty();
    return new JobEntry(rs.getString("id"), rs.getString("feature_set"), scope,
        BackfillStatus.valueOf(rs.getString("status")), rs.getBoolean("committed"), rs.getBoolean("needs_finishing"),
        rs.getString("document"), holder);
  }

  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private interface SqlTransaction<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(SqlTransaction<T> work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the connection is broken: the next call opens another
      }
    }
  }

  /** Runs the work; a broken connection ({@link #broken}) is opened again and the work run once more. */
  private <T> T call(String doing, SqlWork<T> work) {
    if (closed) {
      throw new IllegalStateException("job history on " + settings.url().describe() + " is closed");
    }
    try {
      try {
        if (connection == null || connection.isClosed()) {
          connection = connect();
        }
        return work.run();
      } catch (SQLException e) {
        if (!broken(e)) {
          throw e;
        }
        log.warn("job history on {}: the connection broke while {} ({}); connecting again", settings.url().describe(),
            doing, firstLine(e));
        closeQuietly();
        connection = connect();
        return work.run();
      }
    } catch (SQLException e) {
      throw failure(doing, e);
    }
  }

  /**
   * Whether the connection is gone rather than the statement wrong: a connection exception
   * (class 08), the server ending the session (class 57P: an administrator, a restart), or a
   * connection the driver has closed.
   */
  private boolean broken(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("08") || state.startsWith("57P")) {
      return true;
    }
    try {
      return connection == null || connection.isClosed();
    } catch (SQLException unknown) {
      return true;
    }
  }

  private StoreException failure(String doing, SQLException e) {
    return new StoreException("job history on " + settings.url().describe() + ": " + doing + " failed: " + firstLine(e), e);
  }

  private static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static String quote(String name) {
    return "\"" + name + "\"";
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // nothing is held that the server does not release with the session
      }
      connection = null;
    }
  }

  /**
   * Closes the connection. The jobs this client holds keep their rows: a job still unfinished is
   * taken over by another client once its lease expires.
   */
  @Override
  public synchronized void close() {
    closed = true;
    closeQuietly();
  }

  @Override
  public String toString() {
    return "on " + settings.url().describe() + ", schema '" + settings.schema() + "'";
  }
}
