package dev.backfill.iceberg;

import dev.backfill.api.EntityKey;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whole buckets of the companion table of latest rows ({@link LatestRows}): each key's latest row
 * with the main data file holding it, each bucket as of one
 * companion snapshot, so that the batches of one reconciliation read a bucket once instead of
 * once per batch (a batch of 2,048 keys touches nearly every one of the 16 buckets).
 *
 * <p><b>Why it is never stale.</b> An entry is keyed by the companion snapshot id its rows were
 * read from (or written in): an Iceberg snapshot never changes, and a lookup asks for the
 * snapshot {@link LatestRows} has just brought up to date, so an entry either answers for
 * exactly that snapshot or is not used. A newer companion snapshot misses and is read.
 *
 * <p><b>Bounded.</b> It holds at most {@link #MAX_ROWS} rows in all (least recently used
 * buckets go first); a bucket larger than that is never held, and its lookups read the table
 * each time, as they would without the cache. Thread-safe.
 */
final class BucketCache {
  /** About 50 MiB of rows of a few features: enough for 250,000 keys read once per commit. */
  static final int MAX_ROWS = 250_000;

  private final int maxRows;
  private final Map<Slot, Map<EntityKey, LatestRows.Candidate>> buckets = new LinkedHashMap<>(16, 0.75f, true);
  private long rows;

  BucketCache(int maxRows) {
    this.maxRows = maxRows;
  }

  /** The whole bucket as of the companion snapshot, when held. */
  synchronized Optional<Map<EntityKey, LatestRows.Candidate>> get(long snapshot, int bucket) {
    return Optional.ofNullable(buckets.get(new Slot(snapshot, bucket)));
  }

  /** Whether a bucket of this many rows can be held at all. */
  boolean fits(long bucketRows) {
    return bucketRows <= maxRows;
  }

  /**
   * Holds the whole bucket as of the companion snapshot (the caller hands over every row the
   * bucket has there, and no longer changes the map), dropping the least recently used buckets
   * beyond the bound. A bucket that alone exceeds the bound is not held.
   */
  synchronized void put(long snapshot, int bucket, Map<EntityKey, LatestRows.Candidate> whole) {
    if (!fits(whole.size())) {
      return;
    }
    Map<EntityKey, LatestRows.Candidate> before = buckets.put(new Slot(snapshot, bucket), whole);
    rows += whole.size() - (before == null ? 0 : before.size());
    Iterator<Map<EntityKey, LatestRows.Candidate>> eldest = buckets.values().iterator();
    while (rows > maxRows) {
      rows -= eldest.next().size();
      eldest.remove();
    }
  }

  private record Slot(long snapshot, int bucket) {}
}
