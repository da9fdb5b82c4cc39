package dev.backfill.core;

import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.TableSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes what a stopped process left: a job recorded as running whose offline commit did not
 * happen is marked FAILED (nothing changed); a job whose offline commit happened (as the record
 * or the store's commit ids tell) has its online store reconciled and is marked SUCCEEDED.
 *
 * <p>Which keys the lost process had reconciled is unknown, so recovery reconciles every online
 * key, then every key with an offline row in the job's range (all keys for a reset): work in
 * proportion to the keys of the range and of the feature set (listed, not read row by row),
 * paid only after a crash. In that order the keys it checks are known when it starts: the first
 * pass only updates or removes online keys, never adds one, so both listings are counted up
 * front and the progress ({@code keysDone} of {@code keysTotal}) is exact. Both listings are in the stores' key order
 * ({@link OfflineStore#keysInOrder}, {@link OnlineStore#keysInOrder}), and at most every
 * {@link #RECORD_EVERY} the recovery makes its online writes durable and records the last key
 * it finished in the job record: a recovery stopped part way (killed, or its thread interrupted)
 * resumes after that key instead of starting again. The online writes are made durable before
 * the job is recorded SUCCEEDED.
 */
final class JobRecovery {
  private static final Logger log = LoggerFactory.getLogger(JobRecovery.class);
  /** How often, at most, a recovery records how far it got (each record costs a sync and an fsync). */
  static final Duration RECORD_EVERY = Duration.ofSeconds(1);

  private final OfflineStore offline;
  private final OnlineStore online;
  private final OnlineReconciler reconciler;
  private final Clock clock;
  private final Consumer<BackfillJob> listener;

  JobRecovery(OfflineStore offline, OnlineStore online, OnlineReconciler reconciler, Clock clock,
      Consumer<BackfillJob> listener) {
    this.offline = offline;
    this.online = online;
    this.reconciler = reconciler;
    this.clock = clock;
    this.listener = listener;
  }

  static boolean needsRecovery(JobRecord record) {
    return !record.status().isTerminal() || (record.committed() && !record.reconciled());
  }

  /**
   * Settles the job: FAILED when it never committed, else reconciled online and SUCCEEDED.
   *
   * @throws Interrupted when the thread was interrupted: how far the recovery got is recorded
   */
  void recover(DefaultBackfillJob job) {
    BackfillPlan plan = job.plan();
    Optional<TableSpec> table = offline.table(plan.featureSet());
    boolean committed = job.isCommitted() || (table.isPresent() && offline.isCommitted(plan.featureSet(), job.id()));
    if (!committed || table.isEmpty()) {
      log.warn("recovery: backfill {} of {} stopped before its offline commit; marked FAILED, nothing was changed",
          job.id(), plan.featureSet());
      if (table.isPresent()) {
        try {
          offline.discardStaged(plan.featureSet(), job.id());
        } catch (RuntimeException e) {
          log.warn("recovery: backfill {} of {}: what it staged could not be deleted: {}", job.id(), plan.featureSet(),
              e.toString());
        }
      }
      String message = "the process running this job stopped before its offline commit; neither store was changed";
      job.fail(message, new BackfillException(message), clock.instant());
      return;
    }
    TableSpec spec = table.get();
    online.createTable(spec);
    TimeRange scope = plan.reset() ? TimeRange.all() : plan.range();
    Optional<Instant> fence = plan.reset() ? Optional.empty() : Optional.of(plan.range().stop());
    JobRecord.Recovery cursor = job.recoveryCursor().orElseGet(() -> start(spec, scope));
    boolean resumed = cursor.keysDone() > 0 || cursor.phase().equals(JobRecord.Recovery.OFFLINE_KEYS);
    job.recovering(cursor);
    log.info("recovery: backfill {} of {} had committed offline; reconciling {} keys online{}", job.id(),
        plan.featureSet(), cursor.keysTotal(), resumed ? ", resuming after the " + cursor.keysDone() + " done before" : "");
    listener.accept(job);
    Progress progress = new Progress(job, cursor);
    try {
      if (cursor.phase().equals(JobRecord.Recovery.ONLINE_KEYS)) {
        progress.run(spec, online.keysInOrder(spec.name(), after(cursor, spec)), fence);
        progress.cursor = progress.cursor.nextPhase();
      }
      progress.run(spec, offline.keysInOrder(spec.name(), scope, after(progress.cursor, spec)), fence);
    } catch (RuntimeException e) {
      // Interrupted, or failed (a store error): either way the batches done so far stay done.
      progress.settle(e);
      if (e instanceof Interrupted || !Thread.interrupted()) {
        throw e;
      }
      throw new Interrupted(job, progress.recorded, e);
    }
    online.sync();
    JobRecord.Recovery done = progress.cursor;
    JobRecord.Counts before = job.commitCounts().orElse(null);
    BackfillResult result = new BackfillResult(job.id(), plan.featureSet(), plan.range(), plan.reset(),
        job.progress().rowsRead(), before == null ? job.progress().rowsWritten() : before.rowsWritten(),
        before == null ? 0 : before.rowsDroppedOutOfRange(), before == null ? 0 : before.rowsDroppedAsContext(),
        before == null ? 0 : before.offlineRowsDeleted(), done.keysWritten(), done.keysDeleted(), job.runtime(),
        before == null ? 0 : before.rowsWithoutEventTime());
    job.succeed(result, clock.instant());
    log.info("recovery: backfill {} of {} had committed offline; online reconciled ({} keys written, {} deleted), "
        + "marked SUCCEEDED", job.id(), plan.featureSet(), done.keysWritten(), done.keysDeleted());
  }

  /** A new recovery: counts the keys it will check (each listing once more: cheap beside reconciling them). */
  private JobRecord.Recovery start(TableSpec spec, TimeRange scope) {
    long total;
    try (Stream<EntityKey> offlineKeys = offline.keys(spec.name(), scope);
         Stream<EntityKey> onlineKeys = online.keys(spec.name())) {
      total = offlineKeys.count() + onlineKeys.count();
    }
    return new JobRecord.Recovery(JobRecord.Recovery.ONLINE_KEYS, null, 0, total, 0, 0);
  }

  private static Optional<EntityKey> after(JobRecord.Recovery cursor, TableSpec spec) {
    return Optional.ofNullable(cursor.after()).map(parts -> KeyText.read(parts, spec));
  }

  /** The recovery's cursor: advanced after every batch, recorded every {@link #RECORD_EVERY}. */
  private final class Progress {
    private final DefaultBackfillJob job;
    private JobRecord.Recovery cursor;
    private JobRecord.Recovery recorded;
    private long recordedAt = System.nanoTime();

    Progress(DefaultBackfillJob job, JobRecord.Recovery cursor) {
      this.job = job;
      this.cursor = cursor;
      this.recorded = cursor;
    }

    void run(TableSpec spec, Stream<EntityKey> keys, Optional<Instant> fence) {
      try (keys) {
        reconciler.reconcile(spec, keys, fence, (batch, read, outcome) -> {
          cursor = cursor.advanced(KeyText.write(batch.get(batch.size() - 1)), read, outcome.keysWritten(),
              outcome.keysDeleted());
          job.addKeysDone(read);
          // Cleared here so that the record below is written whole; the recovery then stops.
          boolean interrupted = Thread.interrupted();
          if (interrupted || System.nanoTime() - recordedAt >= RECORD_EVERY.toNanos()) {
            record();
          }
          if (interrupted) {
            throw new Interrupted(job, cursor, null);
          }
        });
      }
    }

    /** Makes the online writes so far durable, then records the cursor: never the other way round. */
    void record() {
      online.sync();
      job.recordRecovery(cursor);
      recorded = cursor;
      recordedAt = System.nanoTime();
    }

    /**
     * Records the last finished batch, when it can and has not yet (an {@link Interrupted} was
     * thrown after recording), so that the next client resumes after it; stops the job's clock.
     */
    void settle(RuntimeException cause) {
      if (!(cause instanceof Interrupted)) {
        try {
          record();
        } catch (RuntimeException e) {
          cause.addSuppressed(e);
        }
      }
      job.recoveryStopped();
    }
  }

  /**
   * The thread recovering a job was interrupted; the recovery stopped after a batch, and the
   * cursor said is recorded. Thrown by {@link dev.backfill.api.BackfillClient.Builder#build()}.
   */
  static final class Interrupted extends BackfillException {
    Interrupted(DefaultBackfillJob job, JobRecord.Recovery recorded, Throwable cause) {
      super("the recovery of backfill job " + job.id() + " of " + job.plan().featureSet() + " was interrupted after "
          + String.format(Locale.ROOT, "%,d of %,d keys", recorded.keysDone(), recorded.keysTotal())
          + "; how far it got is recorded, and a client built on the same job history and stores resumes it from there",
          cause);
    }
  }
}
