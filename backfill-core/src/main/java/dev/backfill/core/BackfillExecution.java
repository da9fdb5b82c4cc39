package dev.backfill.core;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.SourceChangedException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Runner;
import dev.backfill.spi.RunnerTask;
import dev.backfill.spi.Slice;
import dev.backfill.spi.TableSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job: the slices in parallel into a staged offline replacement, the atomic offline
 * commit, then the online reconciliation of every key the commit changed.
 *
 * <p>Memory stays bounded: each worker holds at most one batch of {@link #BATCH_SIZE} rows and
 * hands it to {@link OfflineReplacement#write}, which blocks while the store is busy, so a slow
 * store slows the reading down instead of filling the heap.
 *
 * <p>Cancellation reaches a job wherever it waits ({@link JobInterrupter}). A worker that still
 * does not stop (a source that ignores interrupts and closes) is abandoned after
 * {@link #CANCEL_GRACE}: the job ends CANCELLED without it, since nothing it could still do
 * reaches the stores once the replacement is closed.
 */
final class BackfillExecution implements Runnable {
  static final int BATCH_SIZE = 8_192;
  private static final Logger log = LoggerFactory.getLogger(BackfillExecution.class);
  private static final int RECONCILE_ATTEMPTS = 3;
  /** How long a cancelled or failed job waits for its workers to stop before it abandons them. */
  static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

  private final ResolvedBackfill backfill;
  private final DefaultBackfillJob job;
  private final OfflineStore offline;
  private final OnlineStore online;
  private final OnlineReconciler reconciler;
  private final ExecutorService workers;
  private final Clock clock;
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  /** Which part failed first (the source, the transform, the store, and the slice), when a worker could tell. */
  private volatile String firstFailureSite;
  private final AtomicLong rowsDropped = new AtomicLong();
  private final AtomicLong rowsDroppedAsContext = new AtomicLong();
  private final JobInterrupter interrupter;
  private long rowsWithoutEventTime;
  /** Empty: the rows move through {@link #workers}. */
  private final Optional<Runner> runner;

  BackfillExecution(ResolvedBackfill backfill, DefaultBackfillJob job, OfflineStore offline, OnlineStore online,
      OnlineReconciler reconciler, ExecutorService workers, Clock clock, Optional<Runner> runner) {
    this.runner = runner;
    this.backfill = backfill;
    this.job = job;
    this.offline = offline;
    this.online = online;
    this.reconciler = reconciler;
    this.workers = workers;
    this.clock = clock;
    this.interrupter = new JobInterrupter(job.id());
  }

  /** The job as a runner sees it. */
  static RunnerTask task(ResolvedBackfill backfill, String jobId, OfflineStore offline, OnlineStore online) {
    return new RunnerTask(jobId, backfill.plan(), backfill.featureSet().table(), backfill.source(), backfill.transform(),
        backfill.slices(), offline, online);
  }

  @Override
  public void run() {
    BackfillPlan plan = job.plan();
    TableSpec table = backfill.featureSet().table();
    int parallelism = workerCount(plan);
    OfflineReplacement replacement = null;
    boolean committed = false;
    boolean reconciled = false;
    job.onCancel(() -> {
      interrupter.abort();
      runner.ifPresent(r -> r.cancel(job.id()));
    });
    RunnerTask task = task(backfill, job.id(), offline, online);
    try {
      job.markRunning();
      log.info("backfill {} of {} started: range {}{}, {} slices, {} workers{}, source {}, transform {}",
          job.id(), plan.featureSet(), plan.range(), plan.reset() ? " (reset)" : "", plan.slices().size(),
          parallelism, backfill.transform().threadSafe() ? "" : " (the transform is not thread-safe)",
          Describe.source(backfill.source()), Describe.transform(backfill.transform()));
      Optional<String> sourceVersion = backfill.source().fingerprint();
      replacement = offline.beginReplace(table.name(), plan.reset() ? Optional.empty() : Optional.of(plan.range()), job.id());
      interrupter.replacement(replacement);
      replacement.clusterTemplate(plan.clusterTemplate());
      plan.comment().ifPresent(replacement::comment);
      List<Slice> slices = backfill.slices();
      Optional<OfflineReplacement.StagedRows> staged = Optional.empty();
      if (runner.isPresent() && !job.isCancelRequested()) {
        staged = runner.get().stage(task, replacement);
      }
      if (staged.isEmpty() && !job.isCancelRequested()) {
        staged = replacement.stageFrom(backfill.source(), backfill.transform(), slices);
      }
      if (staged.isPresent()) {
        recordStagedInStore(staged.get(), plan);
      } else {
        runSlices(replacement, slices, parallelism);
      }
      if (firstFailure.get() != null) {
        throw firstFailure.get();
      }
      countRowsWithoutEventTime();
      // Rows read from two versions of the source must never be committed.
      SourceChangedException.requireUnchanged(plan.featureSet(), backfill.source(), sourceVersion);
      confirmDeletion(table, plan);
      if (!job.isCancelRequested()) {
        job.recordBeforeCommit();
      }
      interrupter.committing();
      if (!job.enterCommit()) {
        throw new BackfillCancelledException(job.id());
      }
      long commitStart = System.nanoTime();
      reconciler.commitStarting(table.name());
      OfflineReplacement.Commit commit;
      try {
        commit = replacement.commit();
      } catch (RuntimeException | Error e) {
        reconciler.reconciled(table.name());
        throw e;
      }
      committed = true;
      RuntimeException unrecorded = recordCommit(commit, plan);
      log.info("backfill {} of {} committed offline in {} ms: {} rows deleted, {} rows added, {} dropped out of range",
          job.id(), plan.featureSet(), millisSince(commitStart), commit.rowsDeleted(), commit.rowsAdded(), rowsDropped.get());
      long reconcileStart = System.nanoTime();
      OnlineReconciler.Outcome outcome = updateOnline(task, table, replacement, plan);
      reconciler.reconciled(table.name());
      log.info("backfill {} of {} reconciled online in {} ms: {} keys written, {} keys deleted",
          job.id(), plan.featureSet(), millisSince(reconcileStart), outcome.keysWritten(), outcome.keysDeleted());
      reconciled = true;
      if (unrecorded != null) {
        throw unrecorded;
      }
      BackfillResult result = new BackfillResult(job.id(), plan.featureSet(), plan.range(), plan.reset(),
          job.progress().rowsRead(), commit.rowsAdded(), rowsDropped.get(), rowsDroppedAsContext.get(), commit.rowsDeleted(),
          outcome.keysWritten(), outcome.keysDeleted(), job.runtime(), rowsWithoutEventTime);
      job.succeed(result, clock.instant());
      log.info("backfill {} of {} succeeded in {} ms: {}", job.id(), plan.featureSet(), result.elapsed().toMillis(), result);
    } catch (Throwable e) {
      if (replacement != null && !committed) {
        closeQuietly(replacement);
      }
      if (!committed && job.isCancelRequested()) {
        log.info("backfill {} of {} cancelled before its offline commit; nothing changed", job.id(), plan.featureSet());
        job.cancelled(clock.instant());
        return;
      }
      String message = describe(e, committed, reconciled);
      log.warn("backfill {} of {} failed: {}", job.id(), plan.featureSet(), message, e);
      job.fail(message, e, clock.instant());
      if (e instanceof Error error && !(e instanceof OutOfMemoryError)) {
        throw error;
      }
    } finally {
      if (committed && replacement != null) {
        closeQuietly(replacement);
      }
    }
  }

  /**
   * Records the commit. When the history cannot, the commit stands (it is atomic and done), so
   * the online store is still reconciled to it; the job then fails, naming what was done.
   */
  private RuntimeException recordCommit(OfflineReplacement.Commit commit, BackfillPlan plan) {
    try {
      job.markCommitted(commit.rowsAdded(), rowsDropped.get(), rowsDroppedAsContext.get(), commit.rowsDeleted(),
          rowsWithoutEventTime);
      return null;
    } catch (RuntimeException e) {
      log.error("backfill {} of {}: the job history cannot record the offline commit ({}); reconciling the online "
          + "store anyway", job.id(), plan.featureSet(), e.toString());
      return e;
    }
  }

  private void recordStagedInStore(OfflineReplacement.StagedRows staged, BackfillPlan plan) {
    job.addRowsRead(staged.rowsRead());
    job.addRowsWritten(staged.rowsStaged());
    rowsDropped.addAndGet(staged.rowsDroppedOutOfRange());
    rowsDroppedAsContext.addAndGet(staged.rowsDroppedAsContext());
    for (int i = 0; i < plan.slices().size(); i++) {
      job.sliceDone();
    }
    log.info("backfill {} of {}: the offline store staged the rows itself: {} read, {} staged, {} dropped out of range, "
        + "{} dropped as other slices' context", job.id(), plan.featureSet(), staged.rowsRead(), staged.rowsStaged(),
        staged.rowsDroppedOutOfRange(), staged.rowsDroppedAsContext());
  }

  /**
   * Counts the source's rows without an event time, which no slice reads (on either path), so
   * that the result says how many the backfill could not place instead of losing them silently.
   */
  private void countRowsWithoutEventTime() {
    if (job.isCancelRequested()) {
      return;
    }
    try (Stream<Row> rows = opened(backfill.source().readWithoutEventTime())) {
      rowsWithoutEventTime = rows.count();
    }
    if (rowsWithoutEventTime > 0) {
      log.warn("backfill {} of {}: the source has {} rows without an event time; no range holds them, so they are "
          + "counted and not written", job.id(), job.plan().featureSet(), rowsWithoutEventTime);
    }
  }

  /**
   * Asks the request's confirmation when the commit would delete rows and add none; a refusal
   * cancels the job before its commit gate, so it changes nothing.
   */
  private void confirmDeletion(TableSpec table, BackfillPlan plan) {
    Optional<DeletionConfirmation> confirmation = backfill.deletionConfirmation();
    if (confirmation.isEmpty() || job.progress().rowsWritten() > 0 || job.isCancelRequested()) {
      return;
    }
    RangeContents deleted = offline.contents(table.name(), plan.reset() ? TimeRange.all() : plan.range());
    if (!deleted.isEmpty() && !confirmation.get().confirm(job, deleted)) {
      log.info("backfill {} of {} would delete {} rows of {} keys and write none; not confirmed, cancelling it",
          job.id(), plan.featureSet(), deleted.rows(), deleted.keys());
      job.cancel();
    }
  }

  /**
   * The workers: the template's parallelism, bounded by the machine and the slices; one for a
   * transform that is not thread-safe, which then sees the slices one after the other in time
   * order (the same rows on every run). The command line shows the same number.
   */
  private int workerCount(BackfillPlan plan) {
    return plan.clusterTemplate().workers(plan.slices().size(), backfill.transform().threadSafe());
  }

  private void runSlices(OfflineReplacement replacement, List<Slice> slices, int parallelism) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int w = 0; w < parallelism; w++) {
      running.add(CompletableFuture.runAsync(() -> {
        interrupter.enter();
        try {
          for (int i = next.getAndIncrement(); i < slices.size() && !shouldStop(); i = next.getAndIncrement()) {
            runSlice(replacement, slices.get(i));
          }
        } catch (Throwable e) {
          Throwable original = e instanceof SliceFailure f ? f.getCause() : e;
          if (firstFailure.compareAndSet(null, original)) {
            firstFailureSite = e instanceof SliceFailure f ? f.site : null;
            // The other workers' results no longer matter: stop them where they wait.
            interrupter.abort();
          }
        } finally {
          interrupter.leave();
        }
      }, workers));
    }
    awaitWorkers(CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)));
  }

  /** Waits for the workers; once the job is stopping, for {@link #CANCEL_GRACE} at most. */
  private void awaitWorkers(CompletableFuture<Void> all) throws InterruptedException {
    long stoppingSince = 0;
    while (true) {
      try {
        all.get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        firstFailure.compareAndSet(null, e.getCause());
        return;
      } catch (TimeoutException stillRunning) {
        if (!shouldStop()) {
          continue;
        }
        if (stoppingSince == 0) {
          stoppingSince = System.nanoTime();
        } else if (System.nanoTime() - stoppingSince > CANCEL_GRACE.toNanos()) {
          log.warn("backfill {} of {}: a worker did not stop within {} s of the job's {}; abandoned (its thread may "
              + "still run in its source or transform; nothing it does reaches the stores)", job.id(),
              job.plan().featureSet(), CANCEL_GRACE.toSeconds(), job.isCancelRequested() ? "cancellation" : "failure");
          return;
        }
      }
    }
  }

  private boolean shouldStop() {
    return firstFailure.get() != null || job.isCancelRequested();
  }

  /**
   * A failure of one part of a slice's pipeline, with which part and slice it was: the engine
   * names them in the job's message, while the job's cause stays the original exception.
   */
  private static final class SliceFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String site;

    SliceFailure(Throwable cause, String site) {
      super(site, cause, false, false);
      this.site = site;
    }
  }

  private void runSlice(OfflineReplacement replacement, Slice slice) {
    RowConformer conformer = backfill.conformer();
    AtomicLong read = new AtomicLong();
    long readReported = 0;
    List<Row> batch = new ArrayList<>(BATCH_SIZE);
    Optional<String> timeColumn = backfill.source().eventTimeColumn();
    String sourceSite = "the source " + Describe.source(backfill.source()) + " failed reading " + slice.input()
        + " for slice " + slice.range();
    String transformSite = "the transform " + Describe.transform(backfill.transform()) + " failed on slice " + slice.range();
    try (Stream<Row> input = opened(inputWindow(sourceRows(slice, sourceSite), timeColumn, slice.input()));
         Stream<Row> output = opened(transformed(input.peek(row -> read.incrementAndGet()), transformSite))) {
      Iterator<Row> rows = output.iterator();
      long seen = 0;
      while (true) {
        Row produced;
        try {
          if (!rows.hasNext()) {
            break;
          }
          produced = rows.next();
        } catch (SliceFailure e) {
          throw e;
        } catch (RuntimeException e) {
          throw new SliceFailure(e, transformSite);
        }
        if ((++seen & 1023) == 0 && shouldStop()) {
          return;
        }
        if (produced == null) {
          throw new InvalidRowException(job.plan().featureSet(), "*", null, "the transform "
              + Describe.transform(backfill.transform()) + " produced a null row on slice " + slice.range());
        }
        Row row = conformer.conform(produced);
        Instant t = conformer.eventTime(row);
        switch (slice.place(t)) {
          case IN_SLICE -> {
            batch.add(row);
            if (batch.size() == BATCH_SIZE) {
              if (shouldStop()) {
                return;
              }
              write(replacement, batch, slice);
              job.addRowsWritten(batch.size());
              batch = new ArrayList<>(BATCH_SIZE);
              long readNow = read.get();
              job.addRowsRead(readNow - readReported);
              readReported = readNow;
            }
          }
          case OUT_OF_RANGE -> rowsDropped.incrementAndGet();
          // A neighbouring slice produces this row itself: it is this slice's context.
          case CONTEXT -> rowsDroppedAsContext.incrementAndGet();
          case BREACH -> {
            if (timeColumn.isPresent()) {
              throw InvalidRowException.pointInTime(job.plan().featureSet(),
                  backfill.featureSet().eventTimeColumn(), t, slice.range(), slice.lookback());
            }
            // The source may have returned a superset, whose rows the owning slice emits too.
            rowsDroppedAsContext.incrementAndGet();
          }
        }
      }
      if (!batch.isEmpty() && !shouldStop()) {
        write(replacement, batch, slice);
        job.addRowsWritten(batch.size());
      }
    } finally {
      job.addRowsRead(read.get() - readReported);
    }
    job.sliceDone();
  }

  /** The source's rows of the slice: its failures, at the call or while reading, are the source's. */
  private Stream<Row> sourceRows(Slice slice, String site) {
    Stream<Row> rows;
    try {
      rows = backfill.source().read(slice.input());
    } catch (RuntimeException e) {
      throw new SliceFailure(e, site);
    }
    if (rows == null) {
      throw new SliceFailure(new BackfillException("the source returned null from read(" + slice.input()
          + "); return an empty stream when there are no rows"), site);
    }
    return FaultSpliterator.wrap(rows, e -> e instanceof SliceFailure ? e : new SliceFailure(e, site)).peek(row -> {
      if (row == null) {
        throw new SliceFailure(new BackfillException("the source's read(" + slice.input() + ") returned a null row"), site);
      }
    });
  }

  /** The transform's output stream; its failures while starting are the transform's. */
  private Stream<Row> transformed(Stream<Row> input, String site) {
    Stream<Row> output;
    try {
      output = backfill.transform().apply(input);
    } catch (RuntimeException e) {
      input.close();
      throw new SliceFailure(e, site);
    }
    if (output == null) {
      input.close();
      throw new SliceFailure(new BackfillException("the transform returned null from apply(); return a stream"), site);
    }
    return output;
  }

  private void write(OfflineReplacement replacement, List<Row> batch, Slice slice) {
    try {
      replacement.write(batch);
    } catch (RuntimeException e) {
      throw new SliceFailure(e, "the offline store " + offline + " failed staging " + batch.size() + " rows of slice "
          + slice.range());
    }
  }

  /**
   * The source's rows of the slice's input window: a source that declares its time column may
   * return a superset, which must not reach the transform (its output would look like a breach
   * of the point-in-time rule).
   */
  private static Stream<Row> inputWindow(Stream<Row> read, Optional<String> timeColumn, TimeRange window) {
    if (timeColumn.isEmpty()) {
      return read;
    }
    String column = timeColumn.get();
    return read.filter(row -> row.get(column) instanceof Instant t && window.contains(t));
  }

  /** A slice's stream, closed by a cancellation as well as by the slice. */
  private Stream<Row> opened(Stream<Row> stream) {
    AtomicReference<Stream<Row>> tracked = new AtomicReference<>();
    tracked.set(stream.onClose(() -> interrupter.closed(tracked.get())));
    return interrupter.opened(tracked.get());
  }

  /** The runner's online update when it makes one, else the engine's reconciliation. */
  private OnlineReconciler.Outcome updateOnline(RunnerTask task, TableSpec table, OfflineReplacement replacement,
      BackfillPlan plan) throws InterruptedException {
    if (runner.isPresent()) {
      Optional<Runner.OnlineUpdate> update = runner.get().updateOnline(task, replacement);
      if (update.isPresent()) {
        online.sync();
        return new OnlineReconciler.Outcome(update.get().keysWritten(), update.get().keysDeleted());
      }
    }
    return reconcileWithRetries(table, replacement, plan);
  }

  private OnlineReconciler.Outcome reconcileWithRetries(TableSpec table, OfflineReplacement replacement, BackfillPlan plan)
      throws InterruptedException {
    Optional<Instant> fence = plan.reset() ? Optional.empty() : Optional.of(plan.range().stop());
    for (int attempt = 1; ; attempt++) {
      try {
        OnlineReconciler.Outcome outcome;
        try (Stream<EntityKey> keys = countedKeysToReconcile(table, replacement, plan)) {
          outcome = reconciler.reconcile(table, keys, fence, (batch, read, done) -> job.addKeysDone(read));
        }
        // Durable before the job is recorded reconciled: the history must not outlive the writes.
        online.sync();
        return outcome;
      } catch (RuntimeException e) {
        if (attempt == RECONCILE_ATTEMPTS) {
          throw e;
        }
        log.warn("backfill {} of {}: online reconciliation attempt {} of {} failed, retrying: {}",
            job.id(), plan.featureSet(), attempt, RECONCILE_ATTEMPTS, e.toString());
        Thread.sleep(200L * attempt);
      }
    }
  }

  /**
   * The keys to reconcile, their number given to the job's progress first. A listing that knows
   * its exact size (the DuckDB store counts its keys in the database) is counted by that and
   * reconciled as it is: the online store is scanned once. Any other is counted to its end,
   * closed, and listed again to be reconciled (closed first, so that a store serving one open
   * listing at a time never has two): one more scan of the keys, of the online store's for a
   * reset.
   */
  private Stream<EntityKey> countedKeysToReconcile(TableSpec table, OfflineReplacement replacement, BackfillPlan plan) {
    Stream<EntityKey> listed = keysToReconcile(table, replacement, plan);
    Spliterator<EntityKey> keys = spliteratorOf(listed);
    long total = keys.getExactSizeIfKnown();
    if (total < 0) {
      try (Stream<EntityKey> counted = listed) {
        total = StreamSupport.stream(keys, false).count();
      }
      listed = keysToReconcile(table, replacement, plan);
      keys = spliteratorOf(listed);
    }
    job.onlineUpdate(total);
    return StreamSupport.stream(keys, false).onClose(listed::close);
  }

  private static Spliterator<EntityKey> spliteratorOf(Stream<EntityKey> listed) {
    try {
      return listed.spliterator();
    } catch (RuntimeException | Error e) {
      listed.close();
      throw e;
    }
  }

  /**
   * The keys the commit changed; for a reset, also every online key (one the offline store
   * never had must go too), each key once where the store can tell.
   */
  private Stream<EntityKey> keysToReconcile(TableSpec table, OfflineReplacement replacement, BackfillPlan plan) {
    return plan.reset() ? replacement.changedKeysAnd(online.keys(table.name())) : replacement.changedKeys();
  }

  private String describe(Throwable e, boolean committed, boolean reconciled) {
    String cause = e instanceof BackfillException ? e.getMessage() : e.toString();
    String site = e == firstFailure.get() ? firstFailureSite : null;
    String featureSet = "feature set '" + job.plan().featureSet() + "'";
    String base = site != null ? featureSet + ": " + site + ": " + cause
        : cause.contains(featureSet) ? cause : featureSet + ": " + cause;
    if (reconciled) {
      return "the offline commit and the online update are done, but the job history could not record them: " + base
          + "; a client built on the same stores and job history records the job from the offline store's commit";
    }
    if (committed) {
      return "the offline commit is done but the online reconciliation failed: " + base
          + "; the online store still serves the old rows of the changed keys; a client built on the "
          + "same stores and job history finishes the reconciliation";
    }
    return base + "; nothing was changed in either store";
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static void closeQuietly(OfflineReplacement replacement) {
    try {
      replacement.close();
    } catch (RuntimeException e) {
      log.warn("closing an offline replacement failed", e);
    }
  }
}
