package dev.backfill.duckdb;


import dev.backfill.api.BackfillException;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.SourceChangedException;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbQueryTransform;
import dev.backfill.duckdb.internal.DuckDbReadable;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.duckdb.internal.QueryInterrupts;
import dev.backfill.duckdb.internal.ResultSetRows;
import dev.backfill.duckdb.internal.RowAppender;
import dev.backfill.duckdb.internal.TemplateLimits;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.Slice;
import dev.backfill.spi.Transform;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * One staged replacement of a DuckDB offline table. Rows are appended to a temporary table of
 * this replacement's own connection inside a transaction that is never committed into a
 * feature-set table; {@link #commit()} then runs one short transaction that deletes the range,
 * inserts the staged rows (or, on the fast path, the rows of the source query), updates the
 * latest rows and records the commit id.
 *
 * <p>From {@link #clusterTemplate} to {@link #close()}, the store's database and the process's
 * DuckDB session run with the template's memory and threads ({@link TemplateLimits}).
 *
 * <p>{@link #cancel()} interrupts the fast path's queries ({@link #stageFrom}) from another
 * thread; the commit is never interrupted: it either completes or rolls back by itself.
 */
final class DuckDbReplacement implements OfflineReplacement {
  private enum State { OPEN, COMMITTED, CLOSED }

  private final DuckDbOfflineStore store;
  private final TableSql sql;
  private final Optional<TimeRange> range;
  private final String commitId;
  private final DuckDBConnection connection;
  private final boolean fastPathAllowed;
  private final RowAppender rowAppender;
  private final QueryInterrupts.Guard guard;
  private DuckDBAppender appender;
  /**
   * On the fast path: the queries whose rows the commit inserts ({@link SlicedStaging#insertQueries}),
   * how many rows they must insert, and the source with its fingerprint when it was first read,
   * for the check after the commit's read. Null on the JVM path.
   */
  private List<String> stagedInserts;
  private long stagedRows;
  private DataSource stagedSource;
  private Optional<String> stagedSourceVersion = Optional.empty();
  private State state = State.OPEN;
  /** The job's hold on the template's share of the store's database and of the session: ended by close. */
  private final List<TemplateLimits.Running> templateShares = new ArrayList<>();

  DuckDbReplacement(DuckDbOfflineStore store, TableSql sql, Optional<TimeRange> range, String commitId,
      DuckDBConnection connection, boolean fastPathAllowed) throws SQLException {
    this.store = store;
    this.sql = sql;
    this.range = range;
    this.commitId = commitId;
    this.connection = connection;
    this.fastPathAllowed = fastPathAllowed;
    this.rowAppender = new RowAppender(sql.spec.schema());
    this.guard = new QueryInterrupts.Guard(connection, "the staging of '" + sql.spec.name() + "'");
    try {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TEMP TABLE staged (" + sql.columnDefinitions() + ")");
      }
      appender = connection.createAppender("temp", "main", "staged");
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public synchronized void write(List<Row> rows) {
    checkOpen("write");
    if (stagedInserts != null) {
      throw new IllegalStateException("this replacement was staged by stageFrom; write() cannot add to it");
    }
    try {
      for (Row row : rows) {
        rowAppender.append(appender, row);
      }
    } catch (SQLException e) {
      throw store.failure("staging " + rows.size() + " rows for '" + sql.spec.name() + "'", e);
    }
  }

  @Override
  public synchronized Optional<StagedRows> stageFrom(DataSource source, Transform transform, List<Slice> slices) {
    checkOpen("stageFrom");
    if (!fastPathAllowed || !(source instanceof DuckDbReadable readable) || source.eventTimeColumn().isEmpty()) {
      return Optional.empty();
    }
    String transformQuery;
    boolean rowWise;
    Schema output;
    if (transform == Transform.identity()) {
      transformQuery = "SELECT * FROM source";
      rowWise = true;
      output = source.schema();
    } else if (transform instanceof DuckDbQueryTransform query && !query.allowsExternalAccess()) {
      transformQuery = query.query();
      output = checkedInSandbox(transformQuery, source);
      rowWise = UserSql.isRowWise(transformQuery, source.schema());
    } else {
      return Optional.empty();
    }
    String sourceTime = source.eventTimeColumn().get();
    boolean keepsEventTime = rowWise && UserSql.keepsColumn(transformQuery, sql.spec.eventTimeColumn(), sourceTime);
    boolean keepsRowsAndKeys = keepsEventTime && UserSql.keepsEveryRow(transformQuery) && keepsKeysAndTypes(transformQuery, output);
    Optional<String> sourceVersion = source.fingerprint();
    SlicedStaging staging = new SlicedStaging(sql, slices, sourceTime,
        new SlicedStaging.QueryShape(rowWise, keepsEventTime, keepsRowsAndKeys));
    try (Statement s = connection.createStatement()) {
      StagedRows staged = guard.run(() -> staging.stage(s, readable, transformQuery));
      stagedInserts = staging.insertQueries();
      stagedRows = staged.rowsStaged();
      stagedSource = source;
      stagedSourceVersion = sourceVersion;
      store.countStagedInStore(staging.insertsInOneScan(), staging.checkedByMetadata());
      return Optional.of(staged);
    } catch (SQLException e) {
      throw store.failure("running the source and transform of '" + sql.spec.name() + "' in DuckDB", e);
    }
  }

  /**
   * The output columns of the query, once it has passed {@link UserSql#checkInSandbox} over the
   * source's columns. This database reads the source's files, so a user's query runs here only
   * if, in the sandbox, it touched nothing but {@code source}.
   */
  private Schema checkedInSandbox(String query, DataSource source) {
    try {
      return UserSql.checkInSandbox(query, source.schema());
    } catch (IllegalArgumentException e) {
      throw new StoreException("offline table '" + sql.spec.name() + "': the sql transform was not run: " + e.getMessage(), e);
    }
  }

  /**
   * Whether the query gives each key column as the source's column of that name, unchanged, and
   * every column of the table in the table's type: then an output key is null only where the
   * source's is, and no cast of the insert can fail.
   */
  private boolean keepsKeysAndTypes(String query, Schema output) {
    for (dev.backfill.api.Field column : sql.spec.schema().fields()) {
      boolean sameType = output.fields().stream()
          .anyMatch(f -> f.name().equalsIgnoreCase(column.name()) && f.type() == column.type());
      if (!sameType) {
        return false;
      }
    }
    return sql.spec.keyColumns().stream().allMatch(key -> UserSql.keepsColumn(query, key, key));
  }

  /** Interrupts a running {@link #stageFrom} and makes any later one fail; never the commit. */
  @Override
  public void cancel() {
    guard.cancel();
  }

  @Override
  public synchronized Commit commit() {
    checkOpen("commit");
    guard.detach();
    if (guard.cancelled()) {
      throw new IllegalStateException("commit() on a replacement of '" + sql.spec.name() + "' that was cancelled");
    }
    ReentrantLock lock = store.commitLock(sql.spec.name());
    lock.lock();
    try (Statement s = connection.createStatement()) {
      appender.close();
      appender = null;
      // The staging transaction ends here; the temp table stays with the connection. The commit
      // is a new transaction, so that it sees every commit made while the rows were staged.
      connection.commit();
      String where = sql.inRange(range);
      // The keys that lose rows; for a reset every key, listed from the latest rows (a row per
      // key) instead of the whole history.
      s.execute("CREATE OR REPLACE TEMP TABLE changed_rows AS SELECT DISTINCT " + sql.keyColumns + " FROM "
          + (range.isEmpty() ? sql.latest : sql.log + " WHERE " + where));
      long deleted = s.executeUpdate(sql.deleteRange(range));
      long added = insertStaged(s);
      if (stagedInserts != null) {
        // The source was read again just now, after the engine's own check: check once more.
        SourceChangedException.requireUnchanged(sql.spec.name(), stagedSource, stagedSourceVersion);
        if (added != stagedRows) {
          throw new SourceChangedException(sql.spec.name(), String.valueOf(stagedSource), "it had " + stagedRows
              + " rows in range when they were checked and " + added + " at the commit");
        }
      }
      if (range.isPresent()) {
        s.execute("INSERT INTO temp.changed_rows SELECT DISTINCT " + sql.keyColumns + " FROM "
            + (stagedInserts != null ? sql.log + " WHERE " + where : "temp.staged"));
        s.execute("CREATE OR REPLACE TEMP TABLE changed AS SELECT DISTINCT * FROM temp.changed_rows");
        updateLatest(s, range.get());
      } else {
        rebuildLatest(s);
        // The keys that gain rows are the keys of the new latest rows.
        s.execute("CREATE OR REPLACE TEMP TABLE changed AS SELECT * FROM temp.changed_rows UNION SELECT " + sql.keyColumns
            + " FROM " + sql.latest);
      }
      s.execute("DROP TABLE temp.changed_rows");
      TableCatalog.recordCommit(connection, sql.spec.name(), commitId, deleted, added);
      connection.commit();
      store.changed(sql.spec.name());
      state = State.COMMITTED;
      dropStaged(s);
      return new Commit(deleted, added);
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      close();
      if (e instanceof BackfillException known) {
        throw known;
      }
      throw store.failure("committing the replacement of '" + sql.spec.name() + "'", e);
    } finally {
      lock.unlock();
    }
  }

  /** Frees the staged rows early; they are dropped with the connection anyway. */
  private void dropStaged(Statement s) {
    try {
      s.execute("DROP TABLE temp.staged");
      SlicedStaging.drop(s);
      connection.commit();
    } catch (SQLException ignored) {
      rollbackQuietly();
    }
  }

  /**
   * Inserts the staged rows into the history so that each row group covers a short time span,
   * and its min/max statistics let later range deletes and scans skip it. The fast path inserts
   * in time order without a sort ({@link SlicedStaging#insertQueries}: slice by slice, or in one
   * scan of a source already in time order): on a 3,000,000-row Parquet reset the
   * {@code ORDER BY} took 40% of the insert. Rows the JVM staged arrive from several workers
   * interleaved, so they are sorted.
   *
   * @return the rows inserted
   */
  private long insertStaged(Statement s) throws SQLException {
    if (stagedInserts == null) {
      return s.executeUpdate("INSERT INTO " + sql.log + " SELECT * FROM temp.staged ORDER BY " + sql.eventTime);
    }
    long added = 0;
    for (String rows : stagedInserts) {
      added += s.executeUpdate("INSERT INTO " + sql.log + " " + rows);
    }
    return added;
  }

  /**
   * After a reset: the latest rows computed from the whole history by a grouped maximum and a
   * join (every row that ties on the greatest event time stays; 6 times faster than the window
   * {@code rank()} on 3,000,000 rows), into a new table that is indexed once it is full
   * (maintaining the ART index row by row made a reset of 10,000,000 keys 3 times slower).
   */
  private void rebuildLatest(Statement s) throws SQLException {
    s.execute("CREATE OR REPLACE TABLE " + sql.latest + " (" + sql.columnDefinitions() + ")");
    s.execute("INSERT INTO " + sql.latest + " " + sql.latestRowsOf(sql.log));
    s.execute(sql.createLatestIndex());
  }

  private void updateLatest(Statement s, TimeRange r) throws SQLException {
    // A changed key's new latest rows: its old latest rows if outside the range (they were not
    // deleted), its new rows, and, only when its old latest rows were inside the range and it
    // has no row left there, its rows before the range (rows after it would have been later).
    s.execute("CREATE OR REPLACE TEMP TABLE old_latest AS SELECT l.* FROM " + sql.latest + " l SEMI JOIN temp.changed c ON "
        + sql.keysEqual("l", "c"));
    // A key that has a row in the range now has its latest rows there or after it, so its rows
    // before the range cannot be latest: only a key whose latest rows were in the range and that
    // has no row left there needs its history. When every changed key gets new rows (a day of
    // data backfilled again) none does; collecting a day of history for each key anyway doubled
    // the rows the latest rows were computed from, and made a one-day interval on a 60-day
    // feature set 1.3 times as slow as on a one-day one.
    s.execute("CREATE OR REPLACE TEMP TABLE history_keys AS " + sql.keysLeftWithoutRowsIn("temp.old_latest", r));
    s.execute("CREATE OR REPLACE TEMP TABLE history AS SELECT * FROM " + sql.log + " WHERE FALSE");
    collectHistory(s, r.start());
    s.execute("CREATE OR REPLACE TEMP TABLE candidates AS SELECT * FROM ("
        + "SELECT * FROM temp.old_latest WHERE NOT (" + sql.inRange(r) + ") "
        + "UNION ALL SELECT t.* FROM " + sql.log + " t SEMI JOIN temp.changed c ON " + sql.keysEqual("t", "c") + " WHERE "
        + sql.inRange("t", r) + " "
        + "UNION ALL SELECT * FROM temp.history)" + sql.latestPerKey());
    s.execute("DELETE FROM " + sql.latest + " l USING temp.changed c WHERE " + sql.keysEqual("l", "c"));
    s.execute("INSERT INTO " + sql.latest + " SELECT * FROM temp.candidates");
    s.execute("DROP TABLE temp.old_latest");
    s.execute("DROP TABLE temp.history_keys");
    s.execute("DROP TABLE temp.history");
    s.execute("DROP TABLE temp.candidates");
  }

  /**
   * Collects, for each key in {@code history_keys}, its rows in the latest window before
   * {@code start} that has any: one day, then a week, a month, a year, then everything. A key
   * found in a window has no later row before {@code start} outside it, so older rows cannot be
   * its latest. For data that arrives every day this reads one day of history, whatever the
   * size of the feature set, since the event-time statistics of the row groups skip the rest.
   */
  private void collectHistory(Statement s, Instant start) throws SQLException {
    Instant upper = start;
    for (Duration window : HISTORY_WINDOWS) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM temp.history_keys")) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return;
        }
      }
      Instant lower = window == null ? Instant.MIN : minusSaturating(start, window);
      s.execute("INSERT INTO temp.history " + sql.rowsOfKeysBetween("temp.history_keys", lower, upper));
      s.execute("DELETE FROM temp.history_keys h USING (SELECT DISTINCT " + sql.keyColumns + " FROM temp.history) f WHERE "
          + sql.keysEqual("h", "f"));
      upper = lower;
    }
  }

  private static final List<Duration> HISTORY_WINDOWS =
      java.util.Arrays.asList(Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(31), Duration.ofDays(366), null);

  @Override
  public synchronized Stream<EntityKey> changedKeys() {
    return keysOf("SELECT * FROM temp.changed");
  }

  /**
   * The others are appended to a temporary table of this connection, and DuckDB unions them
   * with the changed keys ({@code UNION}, which drops repeats, spilling to disk when large): no
   * key is held on the heap.
   */
  @Override
  public synchronized Stream<EntityKey> changedKeysAnd(Stream<EntityKey> others) {
    try (others) {
      requireCommitted();
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE OR REPLACE TEMP TABLE other_keys (" + sql.keyDefinitions() + ")");
      }
      try (DuckDBAppender keys = connection.createAppender("temp", "main", "other_keys")) {
        for (EntityKey key : (Iterable<EntityKey>) others::iterator) {
          keys.beginRow();
          for (int i = 0; i < sql.keyNames().size(); i++) {
            RowAppender.appendValue(keys, sql.keySchema().fields().get(i).type(), key.parts().get(i));
          }
          keys.endRow();
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw store.failure("listing the changed and other keys of '" + sql.spec.name() + "'", e);
    }
    return keysOf("SELECT * FROM temp.changed UNION SELECT * FROM temp.other_keys");
  }

  /**
   * The keys of {@code keysQuery}, each once, with their latest rows read ahead
   * ({@link #joinedKeys}). The stream knows its size, counted by DuckDB, and runs the join only
   * when its first key is read: counting the keys (the engine does, for its progress) reads no
   * row.
   */
  private Stream<EntityKey> keysOf(String keysQuery) {
    requireCommitted();
    long size;
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM (" + keysQuery + ")")) {
      rs.next();
      size = rs.getLong(1);
    } catch (SQLException e) {
      throw store.failure("counting the changed keys of '" + sql.spec.name() + "'", e);
    }
    java.util.concurrent.atomic.AtomicReference<Stream<EntityKey>> opened = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.Spliterator<EntityKey> lazy = new java.util.Spliterators.AbstractSpliterator<>(size,
        java.util.Spliterator.SIZED | java.util.Spliterator.ORDERED | java.util.Spliterator.NONNULL | java.util.Spliterator.DISTINCT) {
      private java.util.Iterator<EntityKey> keys;

      @Override
      public boolean tryAdvance(java.util.function.Consumer<? super EntityKey> action) {
        if (keys == null) {
          opened.set(joinedKeys(keysQuery));
          keys = opened.get().iterator();
        }
        if (!keys.hasNext()) {
          return false;
        }
        action.accept(keys.next());
        return true;
      }
    };
    return java.util.stream.StreamSupport.stream(lazy, false).onClose(() -> {
      Stream<EntityKey> stream = opened.get();
      if (stream != null) {
        stream.close();
      }
    });
  }

  /**
   * The keys of {@code keysQuery}, each once, read together with their latest rows (one join,
   * ordered by key so that the rows of a key that tie come together); the rows go to a
   * {@link LatestReadAhead} that {@link DuckDbOfflineStore#latest} answers the engine's lookups
   * from. A key is handed out once all its rows are read.
   */
  private Stream<EntityKey> joinedKeys(String keysQuery) {
    ReentrantLock lock = store.commitLock(sql.spec.name());
    lock.lock();
    try {
      // The version first, then a new transaction: the join's snapshot holds every commit the
      // version counts (see LatestReadAhead). The commit lock keeps commits out in between.
      long version = store.version(sql.spec.name());
      connection.commit();
      LatestReadAhead readAhead = new LatestReadAhead(version);
      List<dev.backfill.api.Field> fields = new java.util.ArrayList<>();
      for (dev.backfill.api.Field key : sql.keySchema().fields()) {
        fields.add(new dev.backfill.api.Field("__backfill_key_" + fields.size(), key.type()));
      }
      int keyCount = fields.size();
      fields.addAll(sql.spec.schema().fields());
      Schema joined = Schema.of(fields);
      Statement s = connection.createStatement();
      ResultSet rs = s.executeQuery("SELECT k.*, l.* FROM (" + keysQuery + ") k LEFT JOIN " + sql.latest + " l ON "
          + sql.keysEqual("k", "l") + " ORDER BY " + sql.keyNames().stream().map(n -> "k." + DuckDbTypes.quote(n))
          .collect(java.util.stream.Collectors.joining(", ")));
      store.readingAhead(sql.spec.name(), readAhead, true);
      Stream<Row> rows = ResultSetRows.stream(rs, joined, "changed keys of '" + sql.spec.name() + "'", () -> {
        try (s; rs) {
          readAhead.stop();
          store.readingAhead(sql.spec.name(), readAhead, false);
        }
      });
      int eventTime = keyCount + sql.spec.schema().indexOf(sql.spec.eventTimeColumn());
      java.util.Iterator<Row> it = rows.iterator();
      java.util.Iterator<EntityKey> keys = new java.util.Iterator<>() {
        private EntityKey pending;

        @Override
        public boolean hasNext() {
          return pending != null || it.hasNext();
        }

        @Override
        public EntityKey next() {
          while (it.hasNext()) {
            Row row = it.next();
            Object[] parts = new Object[keyCount];
            for (int i = 0; i < keyCount; i++) {
              parts[i] = row.get(i);
            }
            EntityKey key = EntityKey.of(parts);
            Optional<Row> latest = Optional.empty();
            if (row.get(eventTime) != null) {
              Object[] values = new Object[row.schema().size() - keyCount];
              for (int i = 0; i < values.length; i++) {
                values[i] = row.get(keyCount + i);
              }
              latest = Optional.of(Row.of(sql.spec.schema(), values));
            }
            readAhead.listed(key, latest, sql.spec::laterOf);
            if (pending != null && !pending.equals(key)) {
              EntityKey done = pending;
              pending = key;
              return done;
            }
            pending = key;
          }
          if (pending == null) {
            throw new java.util.NoSuchElementException();
          }
          EntityKey done = pending;
          pending = null;
          return done;
        }
      };
      return java.util.stream.StreamSupport.stream(
          java.util.Spliterators.spliteratorUnknownSize(keys, java.util.Spliterator.ORDERED | java.util.Spliterator.NONNULL), false)
          .onClose(rows::close);
    } catch (SQLException e) {
      throw store.failure("reading the changed keys of '" + sql.spec.name() + "'", e);
    } finally {
      lock.unlock();
    }
  }

  private void requireCommitted() {
    if (state != State.COMMITTED) {
      throw new IllegalStateException("changedKeys() is only available after a successful commit; state: " + state);
    }
  }

  @Override
  public synchronized void clusterTemplate(ClusterTemplate template) {
    if (state != State.OPEN) {
      throw new IllegalStateException("the cluster template is given before the commit; state: " + state);
    }
    endTemplateShares();
    templateShares.add(store.limits().start(template));
    templateShares.add(DuckDbSession.limits().start(template));
  }

  private void endTemplateShares() {
    templateShares.forEach(TemplateLimits.Running::close);
    templateShares.clear();
  }

  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.OPEN) {
      rollbackQuietly();
    }
    state = State.CLOSED;
    guard.detach();
    try {
      if (appender != null) {
        appender.close();
      }
    } catch (SQLException ignored) {
      // the transaction is rolled back; the appender's buffered rows go with it
    }
    try {
      connection.close();
    } catch (SQLException e) {
      throw store.failure("closing the replacement of '" + sql.spec.name() + "'", e);
    } finally {
      store.forget(this);
      endTemplateShares();
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is closed next, which discards the transaction anyway
    }
  }

  private void checkOpen(String operation) {
    if (state != State.OPEN) {
      throw new IllegalStateException(operation + "() on a replacement of '" + sql.spec.name() + "' that is " + state);
    }
  }

  private static Instant minusSaturating(Instant t, Duration d) {
    try {
      return t.minus(d);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.MIN;
    }
  }
}
