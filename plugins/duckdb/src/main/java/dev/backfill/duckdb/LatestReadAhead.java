package dev.backfill.duckdb;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latest rows of the keys a committed replacement lists for reconciliation, read ahead in
 * the same query as the keys: one join of the listed keys against the latest rows, instead of
 * one lookup per batch of keys, whose planning alone (an {@code IN} list of 2,048 literals) cost
 * more than the lookup. {@link DuckDbOfflineStore#latest} answers from here when it can.
 *
 * <p><b>Why the rows are current.</b> The rows are those of the join's snapshot, taken after the
 * table's {@linkplain DuckDbOfflineStore#version version} was read. The engine looks a batch up
 * under the feature set's lock, which every ingest of the process takes, and an append or commit
 * of the table raises its version once done. So if the version is unchanged at the lookup, no
 * append or commit that the snapshot misses can have been reconciled yet: a commit that lands
 * meanwhile reconciles its own keys afterwards, under the same lock, with fresh lookups. If the
 * version moved, the lookup reads the table instead.
 *
 * <p>Holds the keys listed and not yet looked up, at most {@link #LIMIT}: a listing read without
 * lookups (a count) stops reading ahead there. Thread-safe.
 */
final class LatestReadAhead {
  /** The most keys held: two reconciliation batches and more, never a whole listing. */
  static final int LIMIT = 4 * TableSql.INDEX_SCAN_KEYS;

  private final long version;
  private final Map<EntityKey, Optional<Row>> rows = new LinkedHashMap<>();
  private boolean stopped;

  LatestReadAhead(long version) {
    this.version = version;
  }

  /** Records a listed key with its latest row, or none; merges the rows of a key that tie. */
  synchronized void listed(EntityKey key, Optional<Row> row, java.util.function.BinaryOperator<Row> laterOf) {
    if (stopped) {
      return;
    }
    Optional<Row> before = rows.get(key);
    if (before == null) {
      if (rows.size() == LIMIT) {
        stop();
        return;
      }
      rows.put(key, row);
    } else if (row.isPresent()) {
      rows.put(key, Optional.of(before.map(r -> laterOf.apply(r, row.get())).orElse(row.get())));
    }
  }

  /**
   * The latest rows of the keys, when every key was read ahead and the table is still at the
   * version of the snapshot; the keys are then forgotten.
   */
  synchronized Optional<Map<EntityKey, Row>> take(Collection<EntityKey> keys, long currentVersion) {
    if (stopped || currentVersion != version || !rows.keySet().containsAll(keys)) {
      return Optional.empty();
    }
    Map<EntityKey, Row> found = new HashMap<>();
    for (EntityKey key : keys) {
      rows.remove(key).ifPresent(row -> found.put(key, row));
    }
    return Optional.of(found);
  }

  /** No more reading ahead: what is held is dropped, and every lookup reads the table. */
  synchronized void stop() {
    stopped = true;
    rows.clear();
  }
}
