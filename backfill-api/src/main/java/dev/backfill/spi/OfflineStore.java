package dev.backfill.spi;

import dev.backfill.api.EntityKey;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The offline store: every row of every feature set, as an event log (duplicate rows with the
 * same key and event time are kept), partitioned by event time.
 *
 * <p>Implementations must be safe for concurrent use by many threads of one process, and must
 * guarantee:
 * <ul>
 *   <li><b>Atomic commits.</b> {@link #append} and {@link OfflineReplacement#commit()} are each
 *       atomic: every reader sees the state before or after, never a part.</li>
 *   <li><b>Snapshot scans.</b> A {@link #scan} reads one committed state from its first row to
 *       its last, whatever commits happen meanwhile.</li>
 *   <li><b>Cost follows the range.</b> Replacing or scanning a range costs in proportion to the
 *       rows of that range (and the partitions it touches), not to the rows outside it.</li>
 *   <li><b>Concurrent replacements</b> of disjoint ranges of one table may be open and commit
 *       at the same time.</li>
 *   <li><b>Commits never wait for scans.</b> A long training read must not stall a backfill:
 *       a commit proceeds while older snapshots are still being read.</li>
 *   <li><b>Exact values.</b> Rows come back as written: every type, nulls, {@code -0.0} and
 *       {@code NaN}, timestamps to the microsecond (the engine rejects finer timestamps, so
 *       that every store keeps the same values and picks the same latest row), every instant of
 *       the supported range ({@link dev.backfill.api.BackfillTimes#SUPPORTED_RANGE}, years 1 to
 *       9999), which is all the engine hands a store.</li>
 *   <li><b>Keys and strings as the engine hands them.</b> Key values are normal
 *       ({@link dev.backfill.api.EntityKey}): a DOUBLE key is never {@code -0.0} and every NaN
 *       is {@code Double.NaN}, so that a store that compares doubles as SQL does (-0.0 = 0.0)
 *       and one that compares bits agree; NaN, infinities and the smallest doubles are keys of
 *       their own. No string holds a lone UTF-16 surrogate, so a UTF-8 store keeps every string
 *       exactly. A store need not check either.</li>
 *   <li><b>Names.</b> {@link #createTable} refuses a name that differs only in case from an
 *       existing table's ({@link TableNames#requireNoCaseTwin}), as SQL stores must.</li>
 *   <li><b>Exact ranges.</b> A row at {@code t} is in {@code [start, stop)} exactly when
 *       {@code start <= t < stop}, also for a bound finer than a microsecond (a user's read
 *       range): a store that keeps microseconds rounds such a bound up, never down. The engine
 *       rounds the ranges it replaces to whole microseconds itself.</li>
 * </ul>
 * Failures are reported as {@link dev.backfill.api.StoreException}; an unknown table is a
 * {@code StoreException} naming it, from every method that takes a table name (for the lazy
 * {@link #scan}, at the call or at the first read).
 */
public interface OfflineStore extends AutoCloseable {
  /**
   * Creates the table if it does not exist. Idempotent.
   *
   * @throws dev.backfill.api.InvalidFeatureSetException when a table of that name exists with
   *     another schema, key or event-time column
   */
  void createTable(TableSpec table);

  /** The spec of an existing table, for example one created by an earlier process. */
  Optional<TableSpec> table(String name);

  /**
   * Appends rows atomically. The rows have the table's schema and non-null keys and event times
   * (the engine checks them). Visible to scans started after the call returns.
   */
  void append(String table, List<Row> rows);

  /**
   * Opens a staged replacement of the rows whose event time is in {@code range}, or of all rows
   * when the range is empty. Nothing is visible until {@link OfflineReplacement#commit()}.
   *
   * @param commitId a unique id recorded durably and atomically with the commit, so that
   *     {@link #isCommitted} can tell after a crash whether the commit happened
   */
  OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId);

  /** Whether a replacement with this commit id has been committed to the table. */
  boolean isCommitted(String table, String commitId);

  /**
   * The rows whose event time is in the range, from one committed snapshot, in no particular
   * order. The caller closes the stream, which releases the snapshot.
   */
  Stream<Row> scan(String table, TimeRange range);

  /**
   * How many rows the table holds in the range, and of how many distinct keys, from one
   * committed snapshot: what a replacement of that range would delete. The default scans the
   * range and keeps its keys in a set (memory grows with them); a store should count instead,
   * at the cost of a scan of the range that returns no rows.
   */
  default RangeContents contents(String table, TimeRange range) {
    TableSpec spec = table(table).orElseThrow(() -> new dev.backfill.api.StoreException(
        "offline table '" + table + "' does not exist; register the feature set first"));
    long rows = 0;
    Set<EntityKey> keys = new HashSet<>();
    try (Stream<Row> scanned = scan(table, range)) {
      for (Row row : (Iterable<Row>) scanned::iterator) {
        rows++;
        keys.add(spec.keyOf(row));
      }
    }
    return new RangeContents(rows, keys.size());
  }

  /**
   * For each key that has rows, its latest row by {@link TableSpec#latestOrder()} in the current
   * committed state; keys without rows are absent from the map. Its cost must not grow with the
   * rows of other keys beyond an index lookup per partition.
   */
  Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys);

  /**
   * Deletes the table and everything the store keeps for it (its rows, its spec, the commit ids
   * {@link #isCommitted} reads, any index or table of latest rows), so that afterwards
   * {@link #table} is empty and {@link #createTable} creates the table anew with any spec. An
   * implementation must guarantee that the drop is atomic (after a crash the table exists whole
   * or not at all), that a table that does not exist is not an error (a drop can be repeated),
   * and that a scan already running finishes or fails with a {@code StoreException}, never
   * returning a mix. The caller guarantees that no replacement or append of the table is open.
   *
   * <p>The default refuses: a store that cannot drop tables says so, and the data stays.
   *
   * @throws dev.backfill.api.StoreException when the store cannot drop tables or the drop fails
   */
  default void dropTable(String name) {
    throw new dev.backfill.api.StoreException("the offline store " + this + " (" + getClass().getName()
        + ") cannot drop tables, so table '" + name + "' was kept; delete it with the store's own tools");
  }

  /**
   * Every key that has at least one row whose event time is in the range, each once, from one
   * committed snapshot. The caller closes the stream. The engine reads it when it must reconcile
   * every key of a range or of a whole table (recovery after a crash, a repair of the online
   * store), where reading every row would cost in proportion to the rows instead of the keys.
   *
   * <p>The default scans the range and drops repeated keys with a hash set (memory in proportion
   * to the keys of the range). A store should list the keys from what it already keeps per key,
   * for {@link TimeRange#all()} in particular (every key with rows has a latest row).
   *
   * @throws dev.backfill.api.StoreException naming the table when it does not exist
   */
  default Stream<EntityKey> keys(String table, TimeRange range) {
    TableSpec spec = table(table).orElseThrow(() -> new dev.backfill.api.StoreException(
        "offline table '" + table + "' does not exist; register the feature set first"));
    return scan(table, range).map(spec::keyOf).distinct();
  }

  /**
   * The keys of {@link #keys(String, TimeRange)} in the store's key order, from one committed
   * snapshot, beginning after the key {@code after} (when given) in that order: a listing that
   * can be resumed where an earlier one stopped. The key order is a total order of key values of
   * the store's choosing, the same on every call (it must not depend on when or how keys were
   * written); a key equal to {@code after} is not listed again, and {@code after} need not be a
   * key of the table. The engine reads it to recover a committed job in batches, recording the
   * last key of each done batch, so that a recovery stopped part way resumes after it. The
   * caller closes the stream.
   *
   * <p>The default sorts {@link #keys(String, TimeRange)} in memory by
   * {@link TableSpec#keyOrder()} (memory in proportion to the keys of the range); a store should
   * list the keys in an order it keeps (an index, a sort in the database) instead.
   *
   * @throws dev.backfill.api.StoreException naming the table when it does not exist
   */
  default Stream<EntityKey> keysInOrder(String table, TimeRange range, Optional<EntityKey> after) {
    return KeyListing.sortedAfter(keys(table, range), after);
  }

  /**
   * Deletes what a replacement with this commit id staged and never committed, such as the data
   * files of a process that was killed before its commit. The engine calls it when it recovers a
   * job that stopped before its offline commit. An implementation must never delete anything a
   * committed replacement uses (it checks {@link #isCommitted} itself), must treat nothing left
   * to delete as success, and may be called again for the same id. The default does nothing:
   * right for a store whose staged rows die with the process (memory, a database transaction).
   *
   * @throws dev.backfill.api.StoreException when the store cannot delete what it found
   */
  default void discardStaged(String table, String commitId) {}

  /**
   * Releases files and connections. A replacement still open at close is never committed: its
   * staged rows are lost, and the table keeps its committed state.
   */
  @Override
  void close();

  /**
   * The type and options this store was created from, so that a distributed runner can open the
   * same store on its executors; empty (the default) for a store made in code, which only the
   * process that made it reaches. A store that returns one must be openable from it by any
   * process that reaches the same storage.
   */
  default java.util.Optional<PluginDefinition> definition() {
    return java.util.Optional.empty();
  }
}
