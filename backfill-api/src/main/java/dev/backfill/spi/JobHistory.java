package dev.backfill.spi;

import dev.backfill.api.BackfillConflictException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a client keeps the records of its backfill jobs, created through a
 * {@link JobHistoryProvider}. One instance serves one client, which closes it; all methods must
 * be thread-safe (job threads record, a heartbeat renews, callers read).
 *
 * <p>A history is either <b>exclusive</b> (in memory, or a directory one client locks): its
 * client owns every record and conflicts are settled inside that client; or <b>shared</b>
 * ({@link #shared()}, a database): many clients in many processes record in it at once. A shared
 * history must then guarantee, across all its clients:
 * <ul>
 *   <li>{@link #submit} checks for overlapping unfinished jobs and records the new one in one
 *       atomic step, so two overlapping jobs are never both recorded as unfinished;</li>
 *   <li>each unfinished job is held by the client that recorded it under a lease that
 *       {@link #renewLeases()} extends; once it expires, {@link #takeOverExpired()} hands the job
 *       to exactly one client;</li>
 *   <li>{@link #save} by a client that no longer holds the job fails, so a client whose lease
 *       lapsed cannot overwrite what the client that took over records.</li>
 * </ul>
 */
public interface JobHistory extends AutoCloseable {
  /**
   * Records a newly submitted job, held by this history's client. Durable when this returns. A
   * shared history must refuse it, atomically with the check, when an unfinished job of the same
   * feature set with an overlapping scope ({@link JobEntry#overlaps}) is recorded; an exclusive
   * one may record it without checking, since its only client has checked its own jobs.
   *
   * @throws BackfillConflictException naming the running job, the host and the process holding
   *     it (shared histories); nothing is recorded then
   * @throws RuntimeException when it cannot record the job
   */
  void submit(JobEntry entry);

  /**
   * Replaces the record of the job, durably when this returns.
   *
   * @throws RuntimeException when it cannot, or (shared) when this client no longer holds the
   *     job: the engine then does not take the step the record was to announce
   */
  void save(JobEntry entry);

  /** Removes the record of that id, durably when this returns; an unknown id is not an error. */
  void delete(String jobId);

  /** Every stored record that is valid; one that is not must not stop the others loading. */
  List<JobEntry> load();

  /** The record of that id, as {@link #load()} would return it. */
  default Optional<JobEntry> find(String jobId) {
    return load().stream().filter(entry -> entry.id().equals(jobId)).findFirst();
  }

  /** Whether clients in other processes use this history at once (see the class comment). Default false. */
  default boolean shared() {
    return false;
  }

  /**
   * How long a shared history's lease lasts without renewal; the engine renews it (and publishes
   * the progress of its running jobs) at a third of it. Unused by an exclusive history.
   */
  default Duration lease() {
    return Duration.ofSeconds(15);
  }

  /**
   * Extends the lease of every job this client holds that still needs finishing, and returns the
   * ids of those whose cancellation another client requested ({@link #requestCancel}). An
   * exclusive history returns none.
   */
  default Set<String> renewLeases() {
    return Set.of();
  }

  /**
   * Makes this client the holder of every job that needs finishing and whose lease expired (its
   * process stopped), and returns them; the engine then finishes them. Two clients calling this
   * at once never both receive a job. An exclusive history returns none: its client finishes
   * every unfinished record it {@link #load()}s.
   */
  default List<JobEntry> takeOverExpired() {
    return List.of();
  }

  /**
   * Asks the client holding the job to cancel it: recorded for that client's next
   * {@link #renewLeases()}.
   *
   * @return true when the request was recorded (the job is unfinished and has not committed);
   *     false for a job that has finished or committed
   * @throws dev.backfill.api.InvalidBackfillRequestException for a job id the history does not hold
   * @throws UnsupportedOperationException for an exclusive history, whose jobs only its own
   *     client runs
   */
  default boolean requestCancel(String jobId) {
    throw new UnsupportedOperationException("job history " + this + " is not shared: cancel a job through the "
        + "client that runs it");
  }

  /** Releases what the history holds (a lock, a connection); the records stay. */
  @Override
  void close();
}
