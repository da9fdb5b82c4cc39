package dev.backfill.spi;

import dev.backfill.api.InvalidBackfillRequestException;
import java.util.Optional;

/**
 * Where a backfill's rows are read, transformed and written: the engine keeps resolution,
 * planning, conflicts, the commit gate, the job history and the reconciliation rules, and hands
 * a runner only the moving of rows. The default ({@code in-process}, no runner) streams them
 * through the client's own threads; a distributed runner (type {@code spark}, from
 * {@code backfill-spark}) runs them on a cluster. Chosen by
 * {@link dev.backfill.api.BackfillClient.Builder#engine}, found by type through
 * {@link Plugins#runner}. Owned and closed by the client that created it.
 *
 * <p>An implementation must be thread-safe: the client runs several jobs at once.
 */
public interface Runner extends AutoCloseable {
  /** The type this runner was created by ({@link RunnerProvider#type()}), for messages. */
  String type();

  /**
   * Checks, at submission and before anything is recorded, that this runner can run the job:
   * its source, transform and stores.
   *
   * @throws InvalidBackfillRequestException one line naming the engine, the part it cannot run
   *     and what it supports
   */
  void check(RunnerTask task);

  /**
   * Stages the rows of every slice into the replacement, exactly as the engine would (the rules
   * of {@link OfflineReplacement#stageFrom}: each slice's transform sees only its own input, rows
   * checked against the table with the engine's {@link dev.backfill.api.InvalidRowException}s,
   * placed by {@link Slice#place}), and returns the counts. On failure or cancellation it throws
   * and must leave nothing of what it wrote where a commit could pick it up; the engine then
   * closes the replacement. Never called concurrently for one job.
   *
   * @return the counts, or empty when this runner leaves the job to the engine's own threads
   */
  Optional<OfflineReplacement.StagedRows> stage(RunnerTask task, OfflineReplacement replacement);

  /**
   * After the offline commit: writes the online rows of the keys the commit changed itself (for
   * example from a cluster's executors), under the rules of DESIGN.md section 2 (each key set to
   * its latest offline row or removed, conditional writes that keep a newer row an ingest wrote
   * meanwhile), or returns empty to leave it to the engine's reconciliation. The default leaves it.
   */
  default Optional<OnlineUpdate> updateOnline(RunnerTask task, OfflineReplacement committed) {
    return Optional.empty();
  }

  /**
   * Stops the job's running work as soon as it can (its {@link #stage} then throws). Called from
   * another thread when the job is cancelled before its commit; must return promptly and be
   * harmless when nothing of the job runs.
   */
  void cancel(String jobId);

  /** Releases what the runner holds (a Spark session it started). Idempotent. */
  @Override
  void close();

  /** What an {@link #updateOnline} wrote. */
  record OnlineUpdate(long keysWritten, long keysDeleted) {
    public OnlineUpdate {
      if (keysWritten < 0 || keysDeleted < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
    }
  }
}
