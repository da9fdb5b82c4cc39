package dev.backfill.spi;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The online store: the latest row of every key of every feature set, read at serving time.
 *
 * <p>Implementations must be safe for concurrent use by many threads and must guarantee that
 * each {@link OnlineWrite} is applied atomically per key: the stored row is read, the write's
 * {@link OnlineWrite#condition()} evaluated against it, and the key set or deleted, with no
 * other write to that key in between. A reader sees a key's old row or its new one, never a
 * missing key in between. A batch need not be atomic as a whole.
 *
 * <p>Keys are what {@link EntityKey} makes them: never {@code -0.0} in a DOUBLE part, one NaN,
 * no string with a lone UTF-16 surrogate (the engine refuses them), and of the table's key
 * columns' arity and types (the engine checks a user's key before a store sees it). Every other
 * value is a key of its own, and every value is kept exactly. {@link #createTable} refuses a
 * name that differs only in case from an existing table's ({@link TableNames#requireNoCaseTwin}).
 * Failures are reported as {@link dev.backfill.api.StoreException}, a closed store included.
 */
public interface OnlineStore extends AutoCloseable {
  /**
   * Creates the table if it does not exist. Idempotent.
   *
   * @throws dev.backfill.api.InvalidFeatureSetException when it exists with another spec
   *     (schema, key columns or event-time column)
   */
  void createTable(TableSpec table);

  /** The row stored for the key. */
  Optional<Row> get(String table, EntityKey key);

  /** The rows stored for the keys; keys without a row are absent. */
  default Map<EntityKey, Row> getAll(String table, Collection<EntityKey> keys) {
    Map<EntityKey, Row> rows = new HashMap<>();
    for (EntityKey key : keys) {
      get(table, key).ifPresent(row -> rows.put(key, row));
    }
    return rows;
  }

  /**
   * Applies each write atomically per key, in list order. A store that evaluates conditions
   * optimistically (read, check, write if unchanged, else retry) may evaluate one write's
   * condition several times; conditions are pure, so that is safe.
   *
   * @return how many writes were applied: those whose condition held, including deletes of a
   *     key that was already absent
   */
  long write(String table, List<OnlineWrite> writes);

  /**
   * Brings each key of the list to its target, the write's row or (an empty row) no row, where
   * the condition permits, and changes nothing where the key already holds its target: a put of
   * the row already stored, and a delete of a missing key, are skipped and counted in neither
   * figure. Each key appears at most once in the list. The engine's online reconciliation calls
   * it once a batch, so that an unchanged key is never rewritten and never counted as written.
   *
   * <p>An implementation must reach the outcome of the default, which reads the stored rows
   * ({@link #getAll}) and then {@link #write}s those that differ: per key atomic as {@link #write}
   * is, conditions evaluated against the row stored when the key is changed. A store may
   * instead compare, check the condition and write in one atomic step per key (a server-side
   * script, for example), which saves the read; it must then treat a stored row as equal to the
   * target exactly when {@link Row#equals} would (doubles by {@link Double#equals}: one NaN,
   * {@code -0.0} not {@code 0.0}), and may count as written a key whose stored form differs from
   * the one it would write although it reads back as an equal row. Must be safe for concurrent
   * use; the list need not be applied atomically as a whole.
   *
   * @return how many keys were set and how many deleted
   */
  default ChangedKeys writeChanged(String table, List<OnlineWrite> writes) {
    Map<EntityKey, Row> stored = getAll(table, writes.stream().map(OnlineWrite::key).toList());
    List<OnlineWrite> puts = new java.util.ArrayList<>();
    List<OnlineWrite> deletes = new java.util.ArrayList<>();
    for (OnlineWrite write : writes) {
      Row have = stored.get(write.key());
      if (!java.util.Objects.equals(write.row().orElse(null), have)) {
        (write.isDelete() ? deletes : puts).add(write);
      }
    }
    return new ChangedKeys(puts.isEmpty() ? 0 : write(table, puts), deletes.isEmpty() ? 0 : write(table, deletes));
  }

  /**
   * Every key stored in the table. Weakly consistent: keys written or deleted during the scan
   * may or may not appear. The caller closes the stream.
   */
  Stream<EntityKey> keys(String table);

  /**
   * The keys of {@link #keys(String)} in the store's key order, beginning after the key
   * {@code after} (when given) in that order: a listing that can be resumed where an earlier one
   * stopped, as {@link OfflineStore#keysInOrder} (the two orders need not be the same). Weakly
   * consistent, as {@link #keys(String)}. The caller closes the stream.
   *
   * <p>The default sorts {@link #keys(String)} in memory by {@link TableSpec#keyOrder()} (memory
   * in proportion to the keys); a store whose keys are kept sorted (RocksDB's byte order of its
   * encoded keys) should list them in that order instead.
   */
  default Stream<EntityKey> keysInOrder(String table, Optional<EntityKey> after) {
    return KeyListing.sortedAfter(keys(table), after);
  }

  /**
   * Deletes the table: every key's row and the table's spec, so that {@link #createTable} creates
   * it anew with any spec. An implementation must guarantee that a table that does not exist is
   * not an error (a drop can be repeated) and that after a crash the table is either whole or
   * gone; a reader during the drop sees a key's row or no row. The caller guarantees that no write
   * to the table runs.
   *
   * <p>The default refuses: a store that cannot drop tables says so, and the data stays.
   *
   * @throws dev.backfill.api.StoreException when the store cannot drop tables or the drop fails
   */
  default void dropTable(String name) {
    throw new dev.backfill.api.StoreException("the online store " + this + " (" + getClass().getName()
        + ") cannot drop tables, so table '" + name + "' was kept; delete it with the store's own tools");
  }

  /**
   * Makes every write this store has acknowledged so far durable: when it returns, those writes
   * survive a crash of the machine or a power loss, not only a crash of the process. The engine
   * calls it after an online reconciliation (of a job, of a recovery, of a repair) and before it
   * records that reconciliation as done, so that a durable job history never says
   * {@code SUCCEEDED} about online writes a power loss could still undo.
   *
   * <p>Must be safe to call concurrently with reads and writes; writes made during the call may
   * or may not be covered. The default does nothing, which is right for a store whose writes
   * are durable once acknowledged (fsync or synchronous replication per write) and for one that
   * keeps nothing across restarts (memory); a store that acknowledges writes before they are on
   * stable storage must override it.
   *
   * @throws dev.backfill.api.StoreException when the writes cannot be made durable
   */
  default void sync() {}

  /** Releases files and connections. */
  @Override
  void close();

  /**
   * The type and options this store was created from, so that a distributed runner can open the
   * same store on its executors; empty (the default) for a store made in code. A store that
   * returns one must be openable from it by any process that reaches the same server.
   */
  default java.util.Optional<PluginDefinition> definition() {
    return java.util.Optional.empty();
  }
}
