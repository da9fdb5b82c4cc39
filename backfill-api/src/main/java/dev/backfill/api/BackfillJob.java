package dev.backfill.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A submitted backfill. Thread-safe; a finished job is a read-only record. */
public interface BackfillJob {
  String id();

  BackfillPlan plan();

  BackfillStatus status();

  BackfillProgress progress();

  Instant submittedAt();

  /** The result of a SUCCEEDED job. */
  Optional<BackfillResult> result();

  /** The error message of a FAILED job. */
  Optional<String> failure();

  /**
   * Waits for the job to finish. Each call throws a new exception made on the caller's thread
   * (its stack trace shows where the caller waited); the worker's failure is its cause.
   *
   * @throws BackfillFailedException when it failed (the cause is the original error)
   * @throws BackfillCancelledException when it was cancelled
   */
  BackfillResult await();

  /** Waits at most the timeout; empty while still running. Throws as {@link #await()}. */
  Optional<BackfillResult> await(Duration timeout);

  /**
   * Cancels the job if it has not reached its offline commit; then neither store changes.
   *
   * @return whether the job is now cancelled (false once it has committed or finished)
   */
  boolean cancel();

  /**
   * How far the job has got with its offline commit, which decides what {@link #cancel()} can
   * still do and what an interrupted caller may truthfully say.
   */
  CommitStage commitStage();

  /** The stages of a job around its one offline commit. */
  enum CommitStage {
    /** The commit has not begun (and, for a finished job, never happened): nothing was changed. */
    BEFORE_COMMIT,
    /**
     * The offline commit is running. It cannot be cancelled: it either completes or changes
     * nothing; the online update follows it.
     */
    COMMITTING,
    /** The offline commit is done; the job updates the online store, or has finished. */
    COMMITTED
  }
}
