package dev.backfill.api;

import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Instant;

/**
 * A pending backfill, configured fluently. Setters only record; {@link #plan()},
 * {@link #submit()} and {@link #run()} resolve and validate. Not thread-safe; reusable: each
 * {@code submit()} starts a new job. Its {@code toString()} shows the feature set and every
 * setting, for logs.
 *
 * <p><b>Review, then run what was reviewed.</b> {@code submit()} resolves the request again, so
 * a default stop (now) or a clamped one moves with the clock between a {@code plan()} shown to
 * someone and the job. {@link #submit(BackfillPlan)} runs the plan this request returned, as it
 * was, or refuses.
 */
public interface BackfillRequest {
  /** Deletes all data of the feature set, then populates the range. */
  BackfillRequest reset();

  /** Default: the feature set's backfill start; an earlier start is allowed. */
  BackfillRequest startTime(Instant start);

  /** Default: the clock's now; a later stop is rounded down to now. */
  BackfillRequest stopTime(Instant stop);

  BackfillRequest between(Instant start, Instant stop);

  /** A source for this backfill only, instead of the feature set's. */
  BackfillRequest source(DataSource source);

  /** A transform for this backfill only, instead of the feature set's. */
  BackfillRequest transform(Transform transform);

  /** Default: the feature set's. */
  BackfillRequest clusterTemplate(ClusterTemplate template);

  /** Stored on the job and shown in listings. */
  BackfillRequest comment(String comment);

  /**
   * Asks {@code confirmation} before the offline commit when the job would delete offline rows
   * and write none (see {@link DeletionConfirmation}). Default: none, so such a job commits and
   * empties the range, as the replacement contract defines it: library callers use empty
   * replacements on purpose (to remove keys), and a scheduled job must not start waiting for an
   * answer after an upgrade. The command line sets one unless {@code --yes} is given.
   */
  BackfillRequest confirmDeletion(DeletionConfirmation confirmation);

  /**
   * Resolves and validates without writing anything: a dry run.
   *
   * @throws InvalidBackfillRequestException for {@code start >= stop}, a missing source, or a
   *     transform whose output schema cannot feed the feature set
   */
  BackfillPlan plan();

  /**
   * Validates, then starts the job and returns at once.
   *
   * @throws InvalidBackfillRequestException as {@link #plan()}
   * @throws BackfillConflictException when an overlapping backfill of the feature set is running
   */
  BackfillJob submit();

  /** {@code submit().await()}. */
  BackfillResult run();

  /**
   * Starts a job that executes exactly {@code plan}: its range, reset, cluster template, slices
   * and comment, with the source and transform the request had when it made the plan, however
   * the clock moved since. The deletion confirmation is the request's current one.
   *
   * @param plan a plan that {@link #plan()} of this request returned
   * @throws InvalidBackfillRequestException when the plan was not made by this request, the
   *     request's settings changed since it was made, or the feature set was registered again
   *     (with another definition) or dropped since; plan again and review the new plan
   * @throws BackfillConflictException when an overlapping backfill of the feature set is running
   */
  BackfillJob submit(BackfillPlan plan);

  /** {@code submit(plan).await()}. */
  default BackfillResult run(BackfillPlan plan) {
    return submit(plan).await();
  }
}
