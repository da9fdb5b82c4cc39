package dev.backfill.api;

import java.util.Objects;

/**
 * A snapshot of a job's progress: slices finished of all, rows read from the source and written,
 * the stage the job is in, and, while it updates the online store, keys done of keys to do.
 *
 * @param stage what the job is doing now; {@link Stage#READING} for a progress made with the
 *     four-argument constructor of DESIGN.md section 4
 * @param keysDone keys whose online row the update (or a recovery) has checked and brought to the
 *     latest offline row so far; 0 before the online update
 * @param keysTotal the keys the online update or the recovery checks in all, once known (counted
 *     when the stage begins); 0 before. A recovery's count is taken when it first starts, so data
 *     changed since then may make {@code keysDone} end a little above or below it.
 */
public record BackfillProgress(int slicesDone, int slicesTotal, long rowsRead, long rowsWritten, Stage stage,
    long keysDone, long keysTotal) {
  public BackfillProgress {
    Objects.requireNonNull(stage, "stage");
    if (slicesDone < 0 || slicesTotal < 0 || slicesDone > slicesTotal || rowsRead < 0 || rowsWritten < 0
        || keysDone < 0 || keysTotal < 0) {
      throw new IllegalArgumentException("invalid progress: " + slicesDone + "/" + slicesTotal
          + " slices, " + rowsRead + " read, " + rowsWritten + " written, " + keysDone + "/" + keysTotal + " keys");
    }
  }

  /** The progress of DESIGN.md section 4: stage {@link Stage#READING}, no keys. */
  public BackfillProgress(int slicesDone, int slicesTotal, long rowsRead, long rowsWritten) {
    this(slicesDone, slicesTotal, rowsRead, rowsWritten, Stage.READING, 0, 0);
  }

  /** Slices done over slices in all, from 0.0 to 1.0; 0.0 when there are no slices. */
  public double fraction() {
    return slicesTotal == 0 ? 0.0 : (double) slicesDone / slicesTotal;
  }

  /**
   * The stages of a job, in the order a job goes through them. A job spends most of its time in
   * {@link #READING} and {@link #UPDATING_ONLINE}; {@link #COMMITTING} can be long too (a DuckDB
   * commit of many rows), and no progress counts move during it.
   */
  public enum Stage {
    /** Submitted, not yet started. */
    QUEUED,
    /** Reading the source, transforming and staging the new rows, slice by slice. */
    READING,
    /** The offline commit runs: it cannot be cancelled; it completes or changes nothing. */
    COMMITTING,
    /**
     * The offline commit is done; the changed keys' online rows are being updated
     * ({@code keysDone} of {@code keysTotal}).
     */
    UPDATING_ONLINE,
    /**
     * A client built on the job history finishes the online update of a job whose process stopped
     * after its offline commit ({@code keysDone} of {@code keysTotal}); a recovery stopped part
     * way resumes where it stopped.
     */
    RECOVERING,
    /**
     * Seen only in a job history read without a client ({@link JobHistorySnapshot}): the process
     * that ran the job stopped before it finished, and no client holds the history. The next
     * client built on the history settles it: finishes its online update when it had committed
     * offline (see {@link BackfillJob#commitStage()}), else records it FAILED, nothing changed.
     */
    AWAITING_RECOVERY,
    /** The job has ended: SUCCEEDED, FAILED or CANCELLED. */
    FINISHED
  }
}
