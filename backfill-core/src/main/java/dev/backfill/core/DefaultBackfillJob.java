package dev.backfill.core;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.BackfillStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A job's state and its transitions. The commit gate is the heart of cancellation: once
 * {@link #enterCommit()} has returned true, {@link #cancel()} returns false, and the other way
 * round, so a cancelled job never commits.
 *
 * <p>Every transition the job's recovery depends on is recorded before it takes effect, and a
 * record that cannot be written throws: a job whose history cannot say it is running, about to
 * commit, committed or succeeded must not go on as if it could ({@link #markRunning},
 * {@link #recordBeforeCommit}, {@link #markCommitted}, {@link #succeed}). Failing and
 * cancelling record what they can and never throw: they are how a job ends.
 */
final class DefaultBackfillJob implements BackfillJob {
  private final String id;
  private final long sequence;
  private final BackfillPlan plan;
  private final Instant submittedAt;
  private final Consumer<JobRecord> recorder;
  private volatile Runnable onTerminal = () -> { };
  private Runnable onCancel = () -> { };
  private final AtomicInteger slicesDone = new AtomicInteger();
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong keysDone = new AtomicLong();
  private volatile long keysTotal;
  private volatile BackfillProgress.Stage stage = BackfillProgress.Stage.QUEUED;
  private final CompletableFuture<BackfillResult> completion = new CompletableFuture<>();

  private BackfillStatus status;
  private boolean cancelRequested;
  private boolean committing;
  private boolean committed;
  private boolean reconciled;
  private Instant finishedAt;
  private BackfillResult result;
  private JobRecord.Counts commitCounts;
  private String failure;
  /** The run time of earlier runs (a recovered job's first process) and of this one's ended parts. */
  private Duration runtimeBefore = Duration.ZERO;
  /** When this process began running the job ({@link System#nanoTime()}), or -1 while it does not. */
  private long runningSince = -1;
  private JobRecord.Recovery recovery;

  /** @param recorder writes a record durably, or throws */
  DefaultBackfillJob(String id, long sequence, BackfillPlan plan, Instant submittedAt, Consumer<JobRecord> recorder) {
    this.id = id;
    this.sequence = sequence;
    this.plan = plan;
    this.submittedAt = submittedAt;
    this.recorder = recorder;
    this.status = BackfillStatus.PENDING;
  }

  /**
   * Runs when the job reaches a terminal status, before {@link #await()} returns, so that a
   * caller who awaited the job can at once submit an overlapping one.
   */
  void onTerminal(Runnable action) {
    this.onTerminal = action;
  }

  /**
   * Runs when {@link #cancel()} succeeds, on the cancelling thread, to reach a job blocked where
   * it cannot poll: at once if the job was cancelled already. Must return promptly.
   */
  void onCancel(Runnable action) {
    boolean now;
    synchronized (this) {
      onCancel = action;
      now = cancelRequested;
    }
    if (now) {
      action.run();
    }
  }

  private void finish() {
    try {
      onTerminal.run();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(DefaultBackfillJob.class).error("finishing backfill {} failed", id, e);
    }
  }

  /** A job read back from the history. */
  static DefaultBackfillJob fromRecord(JobRecord record, Consumer<JobRecord> recorder) {
    DefaultBackfillJob job = new DefaultBackfillJob(record.id(), record.sequence(), record.plan(), Instant.parse(record.submittedAt()), recorder);
    job.status = record.status();
    job.slicesDone.set(record.slicesDone());
    job.rowsRead.set(record.rowsRead());
    job.rowsWritten.set(record.rowsWritten());
    job.committed = record.committed();
    job.committing = record.committed();
    job.reconciled = record.reconciled();
    job.finishedAt = record.finishedAt() == null ? null : Instant.parse(record.finishedAt());
    job.result = record.status() == BackfillStatus.SUCCEEDED ? record.toResult().orElse(null) : null;
    job.commitCounts = record.result();
    job.failure = record.failure();
    job.runtimeBefore = record.runtimeSoFar();
    job.recovery = record.recovery();
    job.stage = record.status().isTerminal() ? BackfillProgress.Stage.FINISHED : record.recordedStage();
    if (job.recovery != null) {
      job.keysDone.set(job.recovery.keysDone());
      job.keysTotal = job.recovery.keysTotal();
    }
    switch (job.status) {
      case SUCCEEDED -> job.completion.complete(job.result);
      case FAILED -> job.completion.completeExceptionally(
          new BackfillFailedException(job.id, job.failure, new BackfillException(job.failure)));
      case CANCELLED -> job.completion.completeExceptionally(new BackfillCancelledException(job.id));
      default -> { }
    }
    return job;
  }

  @Override
  public String id() {
    return id;
  }

  /** The order of submission: jobs submitted in the same instant still list newest first. */
  long sequence() {
    return sequence;
  }

  @Override
  public BackfillPlan plan() {
    return plan;
  }

  @Override
  public synchronized BackfillStatus status() {
    return status;
  }

  @Override
  public BackfillProgress progress() {
    return new BackfillProgress(slicesDone.get(), plan.slices().size(), rowsRead.get(), rowsWritten.get(), stage,
        keysDone.get(), keysTotal);
  }

  /**
   * How long the job has run, in this process and any earlier one that ran it (a recovered job's
   * first process, up to its last record): the job's own run time, not the time since its
   * submission.
   */
  synchronized Duration runtime() {
    return runningSince < 0 ? runtimeBefore : runtimeBefore.plusNanos(System.nanoTime() - runningSince);
  }

  /** Stops the run-time clock of this process: the job has ended, or stopped running here. */
  private synchronized void stopClock() {
    runtimeBefore = runtime();
    runningSince = -1;
  }

  @Override
  public Instant submittedAt() {
    return submittedAt;
  }

  @Override
  public synchronized Optional<BackfillResult> result() {
    return Optional.ofNullable(result);
  }

  @Override
  public synchronized Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public BackfillResult await() {
    return await(Duration.ofNanos(Long.MAX_VALUE)).orElseThrow();
  }

  @Override
  public Optional<BackfillResult> await(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    try {
      return Optional.of(completion.get(saturatedNanos(timeout), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackfillException("interrupted while waiting for backfill job " + id, e);
    } catch (ExecutionException e) {
      throw onCallersThread(e.getCause());
    }
  }

  /**
   * The job's end as a new exception made here, on the thread that waits, so that its stack
   * trace shows the caller; a failure keeps the original error as its cause (the worker's stack).
   * The completion always holds a BackfillFailedException or BackfillCancelledException.
   */
  private BackfillException onCallersThread(Throwable ended) {
    if (ended instanceof BackfillFailedException failed) {
      return new BackfillFailedException(id, failure().orElse(failed.getMessage()), failed.getCause());
    }
    if (ended instanceof BackfillCancelledException) {
      return new BackfillCancelledException(id);
    }
    return ended instanceof BackfillException b ? b : new BackfillException("backfill job " + id + " ended: " + ended, ended);
  }

  /** The timeout in nanoseconds, from 0 to Long.MAX_VALUE: toNanos() overflows beyond about 292 years. */
  static long saturatedNanos(Duration timeout) {
    if (timeout.isNegative()) {
      return 0;
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Returns true when the job will not commit: its workers are interrupted, its streams closed
   * and its store's staging cancelled, and it ends CANCELLED having changed nothing.
   */
  @Override
  public boolean cancel() {
    Runnable action;
    synchronized (this) {
      if (status.isTerminal() || committing) {
        return false;
      }
      if (cancelRequested) {
        return true;
      }
      cancelRequested = true;
      action = onCancel;
    }
    action.run();
    return true;
  }

  @Override
  public synchronized CommitStage commitStage() {
    if (committed) {
      return CommitStage.COMMITTED;
    }
    // A job that failed at the gate (its record could not be written) never committed.
    return committing && !status.isTerminal() ? CommitStage.COMMITTING : CommitStage.BEFORE_COMMIT;
  }

  synchronized boolean isCancelRequested() {
    return cancelRequested;
  }

  synchronized boolean isCommitted() {
    return committed;
  }

  synchronized boolean isReconciled() {
    return reconciled;
  }

  synchronized Optional<Instant> finishedAt() {
    return Optional.ofNullable(finishedAt);
  }

  /** Passes the commit gate unless cancellation won the race. */
  synchronized boolean enterCommit() {
    if (cancelRequested) {
      return false;
    }
    committing = true;
    stage = BackfillProgress.Stage.COMMITTING;
    return true;
  }

  /** @throws RuntimeException when the job history cannot record it: the job must not run */
  void markRunning() {
    synchronized (this) {
      status = BackfillStatus.RUNNING;
      stage = BackfillProgress.Stage.READING;
      runningSince = System.nanoTime();
    }
    recorder.accept(toRecord());
  }

  /**
   * Records the staged counts just before the offline commit. A commit that the history could
   * not follow would leave a next client nothing to recover it by, so a failure here throws and
   * the commit is not made.
   */
  void recordBeforeCommit() {
    recorder.accept(toRecord());
  }

  /**
   * Records the offline commit and its counts, durably, before the online reconciliation.
   *
   * @throws RuntimeException when the job history cannot record it; the commit stays done
   */
  void markCommitted(long rowsAdded, long rowsDropped, long rowsDroppedAsContext, long rowsDeleted,
      long rowsWithoutEventTime) {
    synchronized (this) {
      committed = true;
      stage = BackfillProgress.Stage.UPDATING_ONLINE;
      commitCounts = new JobRecord.Counts(rowsRead.get(), rowsAdded, rowsDropped, rowsDeleted, 0, 0, null,
          rowsDroppedAsContext, rowsWithoutEventTime);
    }
    recorder.accept(toRecord());
  }

  void addRowsRead(long n) {
    rowsRead.addAndGet(n);
  }

  void addRowsWritten(long n) {
    rowsWritten.addAndGet(n);
  }

  void sliceDone() {
    slicesDone.incrementAndGet();
  }

  /** The online update (or one attempt of it) begins: {@code total} keys to check. */
  void onlineUpdate(long total) {
    keysDone.set(0);
    keysTotal = total;
  }

  void addKeysDone(long n) {
    keysDone.addAndGet(n);
  }

  /**
   * A recovery of this committed job starts, or resumes from {@code cursor}: recorded at once, so
   * that the record says the job is committed and how many keys the recovery checks.
   *
   * @throws RuntimeException when the job history cannot record it
   */
  void recovering(JobRecord.Recovery cursor) {
    synchronized (this) {
      committed = true;
      committing = true;
      status = BackfillStatus.RUNNING;
      stage = BackfillProgress.Stage.RECOVERING;
      recovery = cursor;
      keysDone.set(cursor.keysDone());
      keysTotal = cursor.keysTotal();
      runningSince = System.nanoTime();
    }
    recorder.accept(toRecord());
  }

  /**
   * Records how far the recovery got: every key up to the cursor is reconciled (and synced).
   *
   * @throws RuntimeException when the job history cannot record it
   */
  void recordRecovery(JobRecord.Recovery cursor) {
    synchronized (this) {
      recovery = cursor;
      keysDone.set(cursor.keysDone());
    }
    recorder.accept(toRecord());
  }

  /** The recovery stopped part way (its cursor is recorded); the job stays committed, to be recovered. */
  void recoveryStopped() {
    stopClock();
  }

  /** How far a recovery of the job got, when one started and did not finish. */
  synchronized Optional<JobRecord.Recovery> recoveryCursor() {
    return Optional.ofNullable(recovery);
  }

  /** The counts recorded at the offline commit (or a commit record's result), if any. */
  synchronized Optional<JobRecord.Counts> commitCounts() {
    return Optional.ofNullable(commitCounts);
  }

  /**
   * Records the job SUCCEEDED, then makes it so.
   *
   * @throws RuntimeException when the job history cannot record it: the job stays RUNNING, and
   *     the caller fails it
   */
  void succeed(BackfillResult backfillResult, Instant now) {
    JobRecord record;
    synchronized (this) {
      record = JobRecord.of(id, sequence, plan, submittedAt, new JobRecord.State(BackfillStatus.SUCCEEDED,
          Optional.of(now), new BackfillProgress(plan.slices().size(), plan.slices().size(), rowsRead.get(),
              rowsWritten.get(), BackfillProgress.Stage.FINISHED, keysDone.get(), keysTotal),
          Optional.of(JobRecord.Counts.of(backfillResult)), Optional.empty(), committed, true,
          backfillResult.elapsed(), Optional.empty()));
    }
    recorder.accept(record);
    stopClock();
    synchronized (this) {
      stage = BackfillProgress.Stage.FINISHED;
      recovery = null;
      status = BackfillStatus.SUCCEEDED;
      reconciled = true;
      result = backfillResult;
      finishedAt = now;
      slicesDone.set(plan.slices().size());
    }
    finish();
    completion.complete(backfillResult);
  }

  void fail(String message, Throwable cause, Instant now) {
    stopClock();
    synchronized (this) {
      status = BackfillStatus.FAILED;
      stage = BackfillProgress.Stage.FINISHED;
      failure = message;
      finishedAt = now;
    }
    recordQuietly();
    finish();
    completion.completeExceptionally(new BackfillFailedException(id, message, cause));
  }

  void cancelled(Instant now) {
    stopClock();
    synchronized (this) {
      status = BackfillStatus.CANCELLED;
      stage = BackfillProgress.Stage.FINISHED;
      finishedAt = now;
    }
    recordQuietly();
    finish();
    completion.completeExceptionally(new BackfillCancelledException(id));
  }

  /**
   * Records a job's end when it can. When it cannot, the history keeps the job's last record,
   * from which the next client recovers the truth: FAILED if the offline store has no commit
   * of the job, reconciled and SUCCEEDED if it has.
   */
  private void recordQuietly() {
    try {
      recorder.accept(toRecord());
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(DefaultBackfillJob.class).error("backfill {} of {} ended {} but the job history "
          + "could not record it ({}); a client built on the same history and stores settles it from the offline "
          + "store's commits", id, plan.featureSet(), status(), e.toString());
    }
  }

  synchronized JobRecord toRecord() {
    return JobRecord.of(id, sequence, plan, submittedAt, new JobRecord.State(status, Optional.ofNullable(finishedAt),
        progress(), Optional.ofNullable(result).map(JobRecord.Counts::of).or(() -> Optional.ofNullable(commitCounts)),
        Optional.ofNullable(failure), committed, reconciled, runtime(), Optional.ofNullable(recovery)));
  }

  @Override
  public String toString() {
    return "BackfillJob[" + id + " " + plan.featureSet() + " " + plan.range() + (plan.reset() ? " reset" : "")
        + " " + status() + "]";
  }
}
