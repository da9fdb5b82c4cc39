package dev.backfill.core;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.ChangedKeys;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Lock;
import java.util.stream.Stream;

/**
 * Brings online keys to {@code latest(O, k)} of the offline store's current state, in batches.
 *
 * <p>Each batch runs under the feature set's exclusive lock, which {@code ingest} takes shared:
 * so between reading the offline latest rows of a batch and writing them online no ingest of
 * this process can slip in a newer row that the write would then hide (a hold covers up to
 * {@value #BATCHES_PER_LOCK} batches, see {@link #reconcile}). Rows ingested at or after
 * an interval backfill's stop by another process are protected by the fence condition instead.
 * A key is written only when its online row differs from the offline latest, and deleted only
 * when no offline row of it is left ({@link OnlineStore#writeChanged}); it never goes missing in
 * between.
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
  /** Batches reconciled in one hold of the feature set's lock, the next batch read ahead. */
  static final int BATCHES_PER_LOCK = 8;

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
   * Reconciles every key of the stream (duplicates are harmless), in batches of {@link #KEY_BATCH}.
   *
   * @param fence for an interval backfill its stop: a stored row at or after it is never
   *     replaced; empty for a reset
   */
  public Outcome reconcile(TableSpec table, Stream<EntityKey> keys, Optional<Instant> fence) {
    return reconcile(table, keys, fence, (batch, read, done) -> { });
  }

  /**
   * Reconciles every key of the stream (duplicates are harmless), a batch at a time, writing on
   * the calling thread. While a batch is written online, a helper thread takes the next batch's
   * keys from the stream and reads their latest rows from the offline store, so that listing the
   * keys (a DuckDB join read row by row: a third of a reset's online update of 100,000 keys) and
   * the online store's round trips overlap. The feature set's lock is then held from one batch to
   * the next: reading a batch's latest rows and writing them stay inside one hold, as
   * {@code ingest} requires, and the lock is let go every {@value #BATCHES_PER_LOCK} batches so
   * that ingest waits no longer; the batch after a release has only its keys taken ahead, and its
   * latest rows are read once the lock is held again.
   *
   * @param fence for an interval backfill its stop: a stored row at or after it is never
   *     replaced; empty for a reset, which replaces everything
   */
  Outcome reconcile(TableSpec table, Stream<EntityKey> keys, Optional<Instant> fence, BatchListener listener) {
    WriteCondition condition = fence
        .map(f -> WriteCondition.storedBeforeFence(table.eventTimeColumn(), f))
        .orElse(WriteCondition.always());
    Lock lock = locks.forFeatureSet(table.name()).writeLock();
    Iterator<EntityKey> iterator = keys.iterator();
    long written = 0;
    long deleted = 0;
    ExecutorService helper = null;
    Future<Ahead> ahead = null;
    boolean locked = false;
    int batchesThisHold = 0;
    try {
      Batch batch = Batch.take(iterator);
      Map<EntityKey, Row> readAhead = null;
      while (batch != null) {
        if (!locked) {
          lock.lock();
          locked = true;
          batchesThisHold = 0;
        }
        Map<EntityKey, Row> latest = readAhead != null ? readAhead : offline.latest(table.name(), batch.keys());
        boolean keepLock = ++batchesThisHold < BATCHES_PER_LOCK;
        if (helper == null) {
          helper = Executors.newSingleThreadExecutor(OnlineReconciler::helperThread);
        }
        ahead = helper.submit(() -> {
          Batch next = Batch.take(iterator);
          return new Ahead(next, next != null && keepLock ? offline.latest(table.name(), next.keys()) : null);
        });
        List<OnlineWrite> writes = new ArrayList<>(batch.keys().size());
        for (EntityKey key : batch.keys()) {
          writes.add(new OnlineWrite(key, Optional.ofNullable(latest.get(key)), condition));
        }
        // The store skips keys that already hold their latest row: one pass a key where it can
        // compare on its side (a server-side script, encoded rows), a read and a write else.
        ChangedKeys changed = online.writeChanged(table.name(), writes);
        if (!keepLock) {
          lock.unlock();
          locked = false;
        }
        written += changed.written();
        deleted += changed.deleted();
        // Told before the next batch is waited for: progress and a recovery's record follow the writes.
        listener.done(batch.keys(), batch.read(), new Outcome(changed.written(), changed.deleted()));
        Ahead next = await(ahead);
        ahead = null;
        if (locked && next.batch() == null) {
          lock.unlock();
          locked = false;
        }
        batch = next.batch();
        readAhead = next.latest();
      }
    } finally {
      if (ahead != null) {
        try {
          await(ahead);
        } catch (RuntimeException | Error ignored) {
          // The batch it was read for is not written: what failed first is what is reported.
        }
      }
      if (helper != null) {
        helper.shutdown();
      }
      if (locked) {
        lock.unlock();
      }
    }
    return new Outcome(written, deleted);
  }

  /** The next batch, taken from the stream ahead, and its latest rows when they were read in the same hold. */
  private record Ahead(Batch batch, Map<EntityKey, Row> latest) {}

  /** The keys of one batch, each once, and how many keys of the stream it covers. */
  private record Batch(List<EntityKey> keys, long read) {
    /** The next batch of the stream, or null at its end. */
    static Batch take(Iterator<EntityKey> iterator) {
      Set<EntityKey> keys = new LinkedHashSet<>();
      long read = 0;
      while (keys.size() < KEY_BATCH && iterator.hasNext()) {
        keys.add(iterator.next());
        read++;
      }
      return read == 0 ? null : new Batch(List.copyOf(keys), read);
    }
  }

  private static Thread helperThread(Runnable task) {
    Thread thread = new Thread(task, "backfill-online-prefetch");
    thread.setDaemon(true);
    return thread;
  }

  /**
   * The prefetched rows, waited for without giving in to an interrupt: the interrupt is kept for
   * the caller (a recovery stops at the end of its batch), and the read must end before the
   * lock it relies on is let go.
   */
  private static <T> T await(Future<T> future) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
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
}
