package dev.backfill.api;

/** A snapshot of a job's progress: slices finished of all, rows read from the source and written. */
public record BackfillProgress(int slicesDone, int slicesTotal, long rowsRead, long rowsWritten) {
  public BackfillProgress {
    if (slicesDone < 0 || slicesTotal < 0 || slicesDone > slicesTotal || rowsRead < 0 || rowsWritten < 0) {
      throw new IllegalArgumentException("invalid progress: " + slicesDone + "/" + slicesTotal
          + " slices, " + rowsRead + " read, " + rowsWritten + " written");
    }
  }

  /** Slices done over slices in all, from 0.0 to 1.0; 0.0 when there are no slices. */
  public double fraction() {
    return slicesTotal == 0 ? 0.0 : (double) slicesDone / slicesTotal;
  }
}
