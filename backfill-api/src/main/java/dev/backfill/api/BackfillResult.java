package dev.backfill.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What a succeeded backfill did.
 *
 * @param rowsRead rows the source returned (including the lookback)
 * @param rowsWritten rows written to the offline store: the new rows inside the range
 * @param rowsDroppedOutOfRange transform output rows whose event time fell outside the range
 * @param offlineRowsDeleted rows the offline commit removed (the old rows of the range, or all
 *     rows for a reset)
 * @param onlineKeysWritten keys whose online row was written with a new value
 * @param onlineKeysDeleted keys removed from the online store because no row of them is left
 */
public record BackfillResult(String jobId, String featureSet, TimeRange range, boolean reset,
    long rowsRead, long rowsWritten, long rowsDroppedOutOfRange, long offlineRowsDeleted,
    long onlineKeysWritten, long onlineKeysDeleted, Duration elapsed) {
  public BackfillResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(featureSet, "featureSet");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(elapsed, "elapsed");
    if (rowsRead < 0 || rowsWritten < 0 || rowsDroppedOutOfRange < 0 || offlineRowsDeleted < 0
        || onlineKeysWritten < 0 || onlineKeysDeleted < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }
}
