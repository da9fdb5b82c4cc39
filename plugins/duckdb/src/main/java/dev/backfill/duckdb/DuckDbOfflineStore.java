package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.ResultSetRows.firstLine;

import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.TemplateLimits;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.ResultSetRows;
import dev.backfill.duckdb.internal.RowAppender;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableNames;
import dev.backfill.spi.TableSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The offline store in a DuckDB database: a file, or memory. Each feature set is a table
 * {@code main."<name>"} that any DuckDB client can query (close this store first: a DuckDB file
 * is opened by one process at a time).
 *
 * <p><b>Transactions.</b> A replacement stages its rows in a temporary table of its own
 * connection (invisible to everyone else, spilled to disk by DuckDB when large), then commits in
 * one explicit transaction: delete the range (or everything), insert the staged rows, update the
 * latest rows of the changed keys, record the commit id. The Appender never auto-commits into a
 * feature-set table. Commits and appends of one table are serialised by a lock of this store;
 * scans are not: each reads one DuckDB snapshot (MVCC) and never waits for, or delays, a commit.
 *
 * <p><b>Cost follows the range.</b> Deleting and scanning a range read only the row groups whose
 * event-time statistics overlap it. Recomputing the latest rows of the changed keys reads the
 * rows before the range only for keys whose latest row was inside it.
 *
 * <p><b>Fast path.</b> When the source is a DuckDB-readable file (csv, parquet) and the transform
 * is the identity or a sql transform, {@link OfflineReplacement#stageFrom} checks the rows with
 * SQL and the commit inserts them with one {@code INSERT ... SELECT}: the rows never enter the
 * JVM. This database reads the source's files, so a sql transform's query runs here only after
 * it passed the sandbox's check ({@link UserSql}), which lets through one SELECT only; the
 * database loads no extension. Its configuration is not locked, because its memory and threads
 * follow the cluster template of the backfills running on it ({@link TemplateLimits}). Safe for
 * concurrent use by many threads.
 */
public final class DuckDbOfflineStore implements OfflineStore {
  /**
   * The database files open in this process. DuckDB's driver shares one database among every
   * connection to a file in a JVM, so a second store on the file would open silently and share
   * its data without sharing this store's commit locks: two clients' overlapping backfills
   * would both run. Another process is kept out by DuckDB's own file lock.
   */
  private static final Set<Path> OPEN_FILES = ConcurrentHashMap.newKeySet();

  private final DuckDBConnection root;
  private final TemplateLimits limits;
  private final Optional<Path> claimed;
  private final String description;
  private final boolean fastPath;
  private final Map<String, TableSql> tables = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> commitLocks = new ConcurrentHashMap<>();
  private final Set<DuckDbReplacement> open = ConcurrentHashMap.newKeySet();
  /** Per table, how many appends and commits it has had in this process: see {@link LatestReadAhead}. */
  private final Map<String, java.util.concurrent.atomic.AtomicLong> versions = new ConcurrentHashMap<>();
  /** Per table, the latest rows read ahead by committed replacements for their reconciliation. */
  private final Map<String, Set<LatestReadAhead>> readAheads = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong stagedInStore = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong insertedInOneScan = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong checkedByMetadata = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong tableLookups = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  private DuckDbOfflineStore(DuckDBConnection root, Optional<Path> claimed, String description, boolean fastPath,
      TemplateLimits limits) throws SQLException {
    this.root = root;
    this.limits = limits;
    this.claimed = claimed;
    this.description = description;
    this.fastPath = fastPath;
    try (Statement s = root.createStatement()) {
      // The fast path runs source queries here: a timestamp without a zone must mean UTC.
      DuckDbSession.useUtc(s);
      // DuckDB scans an index only while at most this many rows match; a lookup asks for
      // INDEX_SCAN_KEYS keys, and a key can have several latest rows (ties) or, with a
      // composite key, share its first column with other keys.
      s.execute("SET GLOBAL index_scan_max_count = " + TableSql.INDEX_MATCHES);
    }
    limits.attach(root);
    TableCatalog.initialise(root);
    for (TableSpec spec : TableCatalog.load(root)) {
      TableSql sql = new TableSql(spec);
      try (Statement s = root.createStatement()) {
        s.execute(sql.createLatestIndex());
      }
      tables.put(spec.name(), sql);
    }
  }

  /**
   * Opens (or creates) the database file. Its parent directories are created.
   *
   * @throws StoreException when the file cannot be opened, for example because another process
   *     holds it or another store of this process has it open, or when the path exists and is
   *     not a DuckDB database (a directory, an empty file, a Parquet or CSV file)
   */
  public static DuckDbOfflineStore open(Path file) {
    return open(Optional.of(file), true);
  }

  /** A store in memory: gone when closed. */
  public static DuckDbOfflineStore inMemory() {
    return open(Optional.empty(), true);
  }

  /**
   * Opens a store; {@code fastPath} false makes every backfill stream its rows through the JVM,
   * for comparisons.
   */
  public static DuckDbOfflineStore open(Optional<Path> file, boolean fastPath) {
    return open(file, fastPath, TemplateLimits.machineDefaults());
  }

  /**
   * Opens a store whose database may use the given memory and threads, during a backfill those
   * of its template where not explicit (beyond the memory limit DuckDB spills to a folder beside
   * the file, or to the system's temporary folder in memory). The limits must be this store's
   * own: not shared with another database.
   */
  public static DuckDbOfflineStore open(Optional<Path> file, boolean fastPath, TemplateLimits limits) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(limits, "limits");
    String description = file.map(f -> "duckdb offline store '" + f + "'").orElse("duckdb offline store (in memory)");
    file.ifPresent(DatabaseFile::requireDatabaseOrAbsent);
    Optional<Path> claimed = Optional.empty();
    try {
      if (file.isPresent()) {
        Path parent = file.get().toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        claimed = Optional.of(claim(file.get(), description));
      }
      Properties properties = new Properties();
      properties.setProperty("jdbc_stream_results", "true");
      // Nothing run here may fetch or load code: the store needs no extension beyond those built in.
      properties.setProperty("autoinstall_known_extensions", "false");
      properties.setProperty("autoload_known_extensions", "false");
      // DuckDB's RLE compression merges adjacent values that compare equal, so a -0.0 next to a
      // 0.0 came back as 0.0 once the table was written to disk (DuckDB issue 25709, fixed after
      // 1.4). Without RLE the sign of a zero survives, except in a column segment whose values
      // are all zeros (constant compression, which cannot be turned off): a documented limit.
      properties.setProperty("disabled_compression_methods", "rle");
      limits.opened().applyTo(properties);
      String url = "jdbc:duckdb:" + file.map(f -> f.toAbsolutePath().toString()).orElse("");
      DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection(url, properties);
      try {
        return new DuckDbOfflineStore(root, claimed, description, fastPath, limits);
      } catch (SQLException | RuntimeException e) {
        root.close();
        throw e;
      }
    } catch (SQLException e) {
      claimed.ifPresent(OPEN_FILES::remove);
      throw new StoreException(description + " cannot be opened: " + firstLine(e)
          + (firstLine(e).contains("lock") ? "; another process holds the file: close it or use another path" : ""), e);
    } catch (java.io.IOException e) {
      claimed.ifPresent(OPEN_FILES::remove);
      throw new StoreException(description + " cannot be opened: " + e, e);
    } catch (RuntimeException e) {
      claimed.ifPresent(OPEN_FILES::remove);
      throw e;
    }
  }

  /**
   * Claims the file for this process's one store of it, by its real path (a symbolic link or a
   * relative path to the same file is the same file).
   *
   * @throws StoreException when another store of this process has it open
   */
  private static Path claim(Path file, String description) throws java.io.IOException {
    Path parent = file.toAbsolutePath().getParent();
    Path real = Files.exists(file) ? file.toRealPath()
        : (parent == null ? file.toAbsolutePath() : parent.toRealPath().resolve(file.getFileName()));
    if (!OPEN_FILES.add(real)) {
      throw new StoreException(description + " cannot be opened: another DuckDB offline store of this process (of "
          + "another BackfillClient, perhaps) has " + real + " open, and two stores on one file would share its data "
          + "without sharing their locks; use that store for both clients, or close it first");
    }
    return real;
  }

  @Override
  public void createTable(TableSpec spec) {
    Objects.requireNonNull(spec, "spec");
    synchronized (tables) {
      TableSql existing = tables.get(spec.name());
      if (existing != null) {
        if (!existing.spec.equals(spec)) {
          throw new InvalidFeatureSetException("offline table '" + spec.name() + "' exists in the " + description
              + " with another spec: " + describe(existing.spec) + "; requested: " + describe(spec));
        }
        return;
      }
      TableNames.requireNoCaseTwin(description, spec.name(), tables.keySet());
      TableSql sql = new TableSql(spec);
      try (DuckDBConnection c = connection()) {
        Optional<String> user = TableCatalog.existingUserTable(c, spec.name());
        if (user.isPresent()) {
          throw new InvalidFeatureSetException("offline table '" + spec.name() + "': the " + description
              + " already has a " + user.get() + " (DuckDB's names ignore case) that Backfill did not create; drop or "
              + "rename it");
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE " + sql.log + " (" + sql.columnDefinitions() + ")");
          s.execute("CREATE TABLE " + sql.latest + " (" + sql.columnDefinitions() + ")");
          s.execute(sql.createLatestIndex());
          TableCatalog.record(c, spec);
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw failure("creating table '" + spec.name() + "'", e);
      }
      tables.put(spec.name(), sql);
    }
  }

  /**
   * Drops the table, its latest rows and its catalog entries (spec and commit ids) in one
   * transaction, under the table's commit lock. A scan already running keeps reading its
   * snapshot.
   */
  @Override
  public void dropTable(String name) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    ReentrantLock lock = commitLock(name);
    lock.lock();
    try {
      synchronized (tables) {
        TableSql sql = tables.get(name);
        if (sql == null) {
          return;
        }
        try (DuckDBConnection c = connection()) {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + sql.log);
            s.execute("DROP TABLE IF EXISTS " + sql.latest);
            TableCatalog.forget(c, name);
            c.commit();
            changed(name);
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          }
        } catch (SQLException e) {
          throw failure("dropping table '" + name + "'", e);
        }
        tables.remove(name);
      }
    } finally {
      lock.unlock();
    }
  }

  private static String describe(TableSpec spec) {
    return spec.schema() + " keys " + spec.keyColumns() + " event time " + spec.eventTimeColumn();
  }

  @Override
  public Optional<TableSpec> table(String name) {
    return Optional.ofNullable(tables.get(name)).map(t -> t.spec);
  }

  @Override
  public void append(String table, List<Row> rows) {
    TableSql sql = sql(table);
    if (rows.isEmpty()) {
      return;
    }
    ReentrantLock lock = commitLock(table);
    lock.lock();
    try (DuckDBConnection c = connection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE appended (" + sql.columnDefinitions() + ")");
        RowAppender rowAppender = new RowAppender(sql.spec.schema());
        try (DuckDBAppender appender = c.createAppender("temp", "main", "appended")) {
          for (Row row : rows) {
            rowAppender.append(appender, row);
          }
        }
        s.execute("INSERT INTO " + sql.log + " SELECT * FROM temp.appended");
        // Appending never removes a row, so a key's new latest rows are among its old latest
        // rows and the appended ones: no history is read.
        s.execute("CREATE TEMP TABLE candidates AS SELECT * FROM (SELECT l.* FROM " + sql.latest + " l SEMI JOIN temp.appended a ON "
            + sql.keysEqual("l", "a") + " UNION ALL SELECT * FROM temp.appended)" + sql.latestPerKey());
        replaceLatest(s, sql, "temp.candidates");
        c.commit();
        changed(table);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("appending " + rows.size() + " rows to '" + table + "'", e);
    } finally {
      lock.unlock();
    }
  }

  /** Replaces the latest rows of the keys in {@code candidates} (a table of latest rows). */
  static void replaceLatest(Statement s, TableSql sql, String candidates) throws SQLException {
    s.execute("DELETE FROM " + sql.latest + " l USING (SELECT DISTINCT " + sql.keyColumns + " FROM " + candidates
        + ") c WHERE " + sql.keysEqual("l", "c"));
    s.execute("INSERT INTO " + sql.latest + " SELECT * FROM " + candidates);
  }

  @Override
  public OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId) {
    TableSql sql = sql(table);
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(commitId, "commitId");
    try {
      DuckDbReplacement replacement = new DuckDbReplacement(this, sql, range, commitId, connection(), fastPath);
      open.add(replacement);
      return replacement;
    } catch (SQLException e) {
      throw failure("beginning a replacement of '" + table + "'", e);
    }
  }

  @Override
  public boolean isCommitted(String table, String commitId) {
    sql(table);
    try (DuckDBConnection c = connection()) {
      return TableCatalog.isCommitted(c, table, commitId);
    } catch (SQLException e) {
      throw failure("reading the commits of '" + table + "'", e);
    }
  }

  @Override
  public Stream<Row> scan(String table, TimeRange range) {
    TableSql sql = sql(table);
    return query(sql.selectInRange(range), sql.spec.schema(),
        "scan of offline table '" + table + "'");
  }

  /** The rows of a query, streamed from a connection of their own, closed with the stream. */
  private Stream<Row> query(String query, Schema schema, String what) {
    DuckDBConnection c = null;
    Statement s = null;
    try {
      c = connection();
      // One query is one DuckDB transaction: the streamed result is one snapshot.
      s = c.createStatement();
      ResultSet rs = s.executeQuery(query);
      DuckDBConnection connection = c;
      Statement statement = s;
      return ResultSetRows.stream(rs, schema, what, () -> {
        try (connection; statement; rs) {
          // closed in reverse order
        }
      });
    } catch (SQLException e) {
      closeQuietly(s);
      closeQuietly(c);
      throw failure("the " + what, e);
    }
  }

  /** Counted by DuckDB in one query (one snapshot), grouping the range's rows by key. */
  @Override
  public RangeContents contents(String table, TimeRange range) {
    TableSql sql = sql(table);
    try (DuckDBConnection c = connection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql.countInRange(range))) {
      rs.next();
      return new RangeContents(rs.getLong(1), rs.getLong(2));
    } catch (SQLException e) {
      throw failure("counting the rows of '" + table + "' in " + range, e);
    }
  }

  /**
   * The distinct keys of the range, from one snapshot. For {@link TimeRange#all()} they are read
   * from the latest rows ({@code backfill_latest}, one row per key, or a few that tie) instead of
   * the history; for a bounded range from the history, whose row groups outside the range the
   * event-time statistics skip.
   */
  @Override
  public Stream<EntityKey> keys(String table, TimeRange range) {
    TableSql sql = sql(table);
    return query("SELECT DISTINCT " + sql.keyColumns + " FROM " + sql.keysFrom(range), sql.keySchema(),
        "listing of the keys of offline table '" + table + "'").map(TableSql::keyOf);
  }

  /**
   * The distinct keys of the range sorted by DuckDB ({@code ORDER BY} the key columns), from the
   * first key after {@code after} in that order: the same {@code FROM} as {@link #keys}, so for
   * {@link TimeRange#all()} a sort of one row per key.
   */
  @Override
  public Stream<EntityKey> keysInOrder(String table, TimeRange range, Optional<EntityKey> after) {
    TableSql sql = sql(table);
    String from = sql.keysFrom(range);
    String afterKey = after.map(sql::after).map(condition -> " AND (" + condition + ")").orElse("");
    return query("SELECT DISTINCT " + sql.keyColumns + " FROM " + from + afterKey + " ORDER BY " + sql.keyColumns,
        sql.keySchema(), "ordered listing of the keys of offline table '" + table + "'").map(TableSql::keyOf);
  }

  /**
   * The keys a committed replacement lists for its reconciliation come with their latest rows
   * ({@link LatestReadAhead}: one join, read ahead, current as long as the table has not changed
   * since); other keys are looked up in the latest rows in lists of at most
   * {@link TableSql#INDEX_SCAN_KEYS}, each answered by a scan of the ART index on the first key
   * column (checked by {@code QueryPlanTest}). Either way the cost follows the keys asked for,
   * not the keys of the table.
   */
  @Override
  public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
    TableSql sql = sql(table);
    Map<EntityKey, Row> latest = new HashMap<>();
    if (keys.isEmpty()) {
      return latest;
    }
    long version = version(table);
    for (LatestReadAhead readAhead : readAheads.getOrDefault(table, Set.of())) {
      Optional<Map<EntityKey, Row>> found = readAhead.take(keys, version);
      if (found.isPresent()) {
        return new HashMap<>(found.get());
      }
    }
    tableLookups.incrementAndGet();
    List<EntityKey> all = List.copyOf(keys);
    try (DuckDBConnection c = connection(); Statement s = c.createStatement()) {
      // One transaction: every chunk reads the same committed state.
      c.setAutoCommit(false);
      for (int from = 0; from < all.size(); from += TableSql.INDEX_SCAN_KEYS) {
        List<EntityKey> chunk = all.subList(from, Math.min(all.size(), from + TableSql.INDEX_SCAN_KEYS));
        try (ResultSet rs = s.executeQuery(sql.latestOf(chunk));
             Stream<Row> rows = ResultSetRows.stream(rs, sql.spec.schema(), "latest rows of '" + table + "'", () -> { })) {
          rows.forEach(row -> latest.merge(sql.spec.keyOf(row), row, sql.spec::laterOf));
        }
      }
      c.commit();
      return latest;
    } catch (SQLException | ClassCastException e) {
      throw failure("reading the latest rows of " + keys.size() + " keys of '" + table + "'", e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DuckDbReplacement replacement : List.copyOf(open)) {
      // A replacement still staging would hold its lock until its query ended.
      replacement.cancel();
      replacement.close();
    }
    limits.detach(root);
    try {
      root.close();
    } catch (SQLException e) {
      throw new StoreException("closing the " + description + " failed: " + firstLine(e), e);
    } finally {
      claimed.ifPresent(OPEN_FILES::remove);
    }
  }

  @Override
  public String toString() {
    return description;
  }

  TableSql sql(String table) {
    Objects.requireNonNull(table, "table");
    checkOpen();
    TableSql sql = tables.get(table);
    if (sql == null) {
      throw new StoreException("offline table '" + table + "' does not exist in the " + description
          + "; known tables: " + tables.keySet());
    }
    return sql;
  }

  /** The table's version: raised after each append and commit, under the table's commit lock. */
  long version(String table) {
    return versions.computeIfAbsent(table, t -> new java.util.concurrent.atomic.AtomicLong()).get();
  }

  void changed(String table) {
    versions.computeIfAbsent(table, t -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
  }

  void readingAhead(String table, LatestReadAhead readAhead, boolean reading) {
    Set<LatestReadAhead> set = readAheads.computeIfAbsent(table, t -> ConcurrentHashMap.newKeySet());
    if (reading) {
      set.add(readAhead);
    } else {
      set.remove(readAhead);
    }
  }

  ReentrantLock commitLock(String table) {
    return commitLocks.computeIfAbsent(table, t -> new ReentrantLock());
  }

  /** How many calls of {@link #latest} read the table instead of a read-ahead; for tests. */
  long tableLookups() {
    return tableLookups.get();
  }

  /** How many replacements took the fast path; for tests. */
  long stagedInStore() {
    return stagedInStore.get();
  }

  void countStagedInStore(boolean inOneScan, boolean byMetadata) {
    stagedInStore.incrementAndGet();
    if (inOneScan) {
      insertedInOneScan.incrementAndGet();
    }
    if (byMetadata) {
      checkedByMetadata.incrementAndGet();
    }
  }

  /** How many of the {@link #stagedInStore()} replacements were checked without a scan of their rows; for tests. */
  long checkedByMetadata() {
    return checkedByMetadata.get();
  }

  /** How many of the {@link #stagedInStore()} replacements insert their range in one scan; for tests. */
  long insertedInOneScan() {
    return insertedInOneScan.get();
  }

  void forget(DuckDbReplacement replacement) {
    open.remove(replacement);
  }

  void checkOpen() {
    if (closed) {
      throw new StoreException("the " + description + " is closed; open a new store to use it");
    }
  }

  /** The memory and threads of this store's database, which its replacements size by their job's template. */
  TemplateLimits limits() {
    return limits;
  }

  DuckDBConnection connection() throws SQLException {
    checkOpen();
    return (DuckDBConnection) root.duplicate();
  }

  StoreException failure(String what, Exception e) {
    String reason = e instanceof SQLException sql ? firstLine(sql) : e.toString();
    return new StoreException(description + ": " + what + " failed: " + reason, e);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // already failing; the first error is the one to report
      }
    }
  }
}
