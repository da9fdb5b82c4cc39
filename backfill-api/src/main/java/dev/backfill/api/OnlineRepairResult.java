package dev.backfill.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link BackfillClient#repairOnline} changed in the online store.
 *
 * @param keysWritten keys whose online row differed from their latest offline row and was replaced
 * @param keysDeleted online keys that had no offline row left and were removed
 */
public record OnlineRepairResult(String featureSet, long keysWritten, long keysDeleted, Duration elapsed) {
  public OnlineRepairResult {
    Objects.requireNonNull(featureSet, "featureSet");
    Objects.requireNonNull(elapsed, "elapsed");
    if (keysWritten < 0 || keysDeleted < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }
}
