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
   * Waits for the job to finish.
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
}
