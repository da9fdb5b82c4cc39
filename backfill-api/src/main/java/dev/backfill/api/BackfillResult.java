package dev.backfill.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What a succeeded backfill did. Every output row of the transform is counted once in
 * {@code rowsWritten}, {@code rowsDroppedOutOfRange} or {@code rowsDroppedAsContext}.
 *
 * @param rowsRead rows the source returned (including the lookback each slice reads before it)
 * @param rowsWritten rows written to the offline store: the new rows inside the range
 * @param rowsDroppedOutOfRange transform output rows whose event time fell outside the range
 *     (before its start, as the first slice emits them, or at or after its stop, as the last slice
 *     emits them)
 * @param rowsDroppedAsContext transform output rows that a slice emitted outside itself and that
 *     belong to a neighbouring slice, which emits them itself: a slice's lookback window before
 *     it, or rows a transform moved forward into the next slice's lookback window (the
 *     point-in-time rule of DESIGN section 2 allows both)
 * @param offlineRowsDeleted rows the offline commit removed (the old rows of the range, or all
 *     rows for a reset)
 * @param onlineKeysWritten keys whose online row was written with a new value
 * @param onlineKeysDeleted keys removed from the online store because no row of them is left
 * @param elapsed the job's own run time, in every process that ran it (a job recovered after its
 *     process stopped counts the time that process ran it and the recovery's, not the time in
 *     between)
 * @param rowsWithoutEventTime source rows whose event time is null, which no range holds and no
 *     backfill writes: counted (from {@link dev.backfill.spi.DataSource#readWithoutEventTime()},
 *     in the whole source), not transformed; 0 for a source that does not return them
 */
public record BackfillResult(String jobId, String featureSet, TimeRange range, boolean reset,
    long rowsRead, long rowsWritten, long rowsDroppedOutOfRange, long rowsDroppedAsContext, long offlineRowsDeleted,
    long onlineKeysWritten, long onlineKeysDeleted, Duration elapsed, long rowsWithoutEventTime) {
  public BackfillResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(featureSet, "featureSet");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(elapsed, "elapsed");
    if (rowsRead < 0 || rowsWritten < 0 || rowsDroppedOutOfRange < 0 || rowsDroppedAsContext < 0
        || offlineRowsDeleted < 0 || onlineKeysWritten < 0 || onlineKeysDeleted < 0 || rowsWithoutEventTime < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }

  /** The result without rows without event time. */
  public BackfillResult(String jobId, String featureSet, TimeRange range, boolean reset,
      long rowsRead, long rowsWritten, long rowsDroppedOutOfRange, long rowsDroppedAsContext, long offlineRowsDeleted,
      long onlineKeysWritten, long onlineKeysDeleted, Duration elapsed) {
    this(jobId, featureSet, range, reset, rowsRead, rowsWritten, rowsDroppedOutOfRange, rowsDroppedAsContext,
        offlineRowsDeleted, onlineKeysWritten, onlineKeysDeleted, elapsed, 0);
  }

  /** The result with the components of DESIGN.md section 4, and no rows dropped as context. */
  public BackfillResult(String jobId, String featureSet, TimeRange range, boolean reset,
      long rowsRead, long rowsWritten, long rowsDroppedOutOfRange, long offlineRowsDeleted,
      long onlineKeysWritten, long onlineKeysDeleted, Duration elapsed) {
    this(jobId, featureSet, range, reset, rowsRead, rowsWritten, rowsDroppedOutOfRange, 0, offlineRowsDeleted,
        onlineKeysWritten, onlineKeysDeleted, elapsed);
  }
}
