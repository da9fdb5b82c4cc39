package dev.backfill.api;

/**
 * Decides whether a backfill that would delete offline rows and write none may commit: its
 * source or transform produced no row inside the range (an empty source, a filter that is
 * wrong, a path that points at an empty folder), so its commit would only empty the range (or,
 * for a reset, the feature set). Set with {@link BackfillRequest#confirmDeletion}; without one a
 * job commits, as the replacement contract defines an empty replacement.
 *
 * <p>Implementations are called at most once per job, on the job's own thread, after every row
 * was read and staged and before the offline commit; the job waits for the answer (it may block,
 * for example to ask a person). The job can still be cancelled meanwhile: a cancelled job does
 * not commit whatever the answer. An exception thrown here fails the job, which changes nothing.
 */
@FunctionalInterface
public interface DeletionConfirmation {
  /** Commits every such backfill: the behaviour without a confirmation. */
  DeletionConfirmation ALWAYS = (job, deleted) -> true;

  /** Refuses every such backfill: its job ends CANCELLED and changes nothing. */
  DeletionConfirmation NEVER = (job, deleted) -> false;

  /**
   * Whether the job may commit.
   *
   * @param job the waiting job: its id, plan (range, reset) and progress (rows read)
   * @param deleted what the commit would delete: the rows and keys of the range, or of the whole
   *     feature set for a reset, as the offline store holds them now
   * @return true to commit; false to end the job CANCELLED, with neither store changed
   */
  boolean confirm(BackfillJob job, RangeContents deleted);
}
