package dev.backfill.core;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import dev.backfill.spi.WriteCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Brings online keys to {@code latest(O, k)} of the offline store's current state, in batches.
 *
 * <p>Each batch runs under the feature set's exclusive lock, which {@code ingest} takes shared:
 * so between reading the offline latest rows of a batch and writing them online no ingest of
 * this process can slip in a newer row that the write would then hide. Rows ingested at or after
 * an interval backfill's stop by another process are protected by the fence condition instead.
 * A key is written only when its online row differs from the offline latest, and deleted only
 * when no offline row of it is left; it never goes missing in between.
 *
 * <p>Between a job's offline commit and the end of its reconciliation the online store lags the
 * offline state; the job marks that window ({@link #commitStarting}, {@link #reconciled}) so that
 * {@code ingest} writes each key's latest offline row meanwhile (see {@link FeatureSetLocks}).
 *
 * <p>Public for the runners that reconcile on other machines (Spark's executors), with stores
 * opened there ({@link #OnlineReconciler(OfflineStore, OnlineStore)}): the same rules as the
 * engine's, with no ingest of that process to lock out.
 */
public final class OnlineReconciler {
  static final int KEY_BATCH = 2_048;

  private final OfflineStore offline;
  private final OnlineStore online;
  private final FeatureSetLocks locks;

  OnlineReconciler(OfflineStore offline, OnlineStore online, FeatureSetLocks locks) {
    this.offline = offline;
    this.online = online;
    this.locks = locks;
  }

  /** A reconciler of its own, for stores opened outside the client (a runner's executor). */
  public OnlineReconciler(OfflineStore offline, OnlineStore online) {
    this(offline, online, new FeatureSetLocks());
  }

  /** Marks, just before a job's offline commit, that the feature set's online rows may lag from now on. */
  void commitStarting(String featureSet) {
    locks.commitStarting(featureSet);
  }

  /** Ends the window {@link #commitStarting} opened: the job reconciled its keys (or did not commit). */
  void reconciled(String featureSet) {
    locks.reconciled(featureSet);
  }

  /** What a reconciliation changed. */
  public record Outcome(long keysWritten, long keysDeleted) {}

  /** Told of each batch once it is reconciled: to show progress, or to record how far a recovery got. */
  interface BatchListener {
    /**
     * @param keys the batch's keys, in the order of the stream; the keys it holds once repeated
     *     keys of the stream are dropped
     * @param keysRead how many keys of the stream the batch covers, repeated ones included
     */
    void done(List<EntityKey> keys, long keysRead, Outcome outcome);
  }

  /**
   * Reconciles every key of the stream (duplicates are harmless).
   *
   * @param fence for an interval backfill its stop: a stored row at or after it is never
   *     replaced; empty for a reset, which replaces everything
   */
  public Outcome reconcile(TableSpec table, Stream<EntityKey> keys, Optional<Instant> fence) {
    return reconcile(table, keys, fence, (batch, read, done) -> { });
  }

  Outcome reconcile(TableSpec table, Stream<EntityKey> keys, Optional<Instant> fence, BatchListener listener) {
    long written = 0;
    long deleted = 0;
    Iterator<EntityKey> iterator = keys.iterator();
    Set<EntityKey> batch = new LinkedHashSet<>();
    long read = 0;
    while (iterator.hasNext()) {
      batch.add(iterator.next());
      read++;
      if (batch.size() == KEY_BATCH || !iterator.hasNext()) {
        List<EntityKey> keysOfBatch = List.copyOf(batch);
        Outcome outcome = reconcileBatch(table, keysOfBatch, fence);
        written += outcome.keysWritten();
        deleted += outcome.keysDeleted();
        listener.done(keysOfBatch, read, outcome);
        batch.clear();
        read = 0;
      }
    }
    return new Outcome(written, deleted);
  }

  /**
   * Reconciles every key that has an offline row in {@code scope} and every online key of the
   * table, then makes the online writes durable ({@link OnlineStore#sync()}): what recovery and a
   * repair do when which keys are stale is not known. Costs a listing of the keys of both stores.
   */
  Outcome reconcileAll(TableSpec table, TimeRange scope, Optional<Instant> fence) {
    Outcome outcome;
    try (Stream<EntityKey> offlineKeys = offline.keys(table.name(), scope);
         Stream<EntityKey> onlineKeys = online.keys(table.name())) {
      outcome = reconcile(table, Stream.concat(offlineKeys, onlineKeys), fence, (keys, read, done) -> { });
    }
    online.sync();
    return outcome;
  }

  private Outcome reconcileBatch(TableSpec table, List<EntityKey> keys, Optional<Instant> fence) {
    var lock = locks.forFeatureSet(table.name()).writeLock();
    lock.lock();
    try {
      Map<EntityKey, Row> latest = offline.latest(table.name(), keys);
      Map<EntityKey, Row> current = online.getAll(table.name(), keys);
      WriteCondition condition = fence
          .map(f -> WriteCondition.storedBeforeFence(table.eventTimeColumn(), f))
          .orElse(WriteCondition.always());
      List<OnlineWrite> puts = new ArrayList<>();
      List<OnlineWrite> deletes = new ArrayList<>();
      for (EntityKey key : keys) {
        Row want = latest.get(key);
        Row have = current.get(key);
        if (Objects.equals(want, have)) {
          continue;
        }
        OnlineWrite write = new OnlineWrite(key, Optional.ofNullable(want), condition);
        (want == null ? deletes : puts).add(write);
      }
      long written = puts.isEmpty() ? 0 : online.write(table.name(), puts);
      long deleted = deletes.isEmpty() ? 0 : online.write(table.name(), deletes);
      return new Outcome(written, deleted);
    } finally {
      lock.unlock();
    }
  }
}
