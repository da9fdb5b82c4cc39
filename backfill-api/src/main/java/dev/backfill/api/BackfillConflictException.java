package dev.backfill.api;

import java.util.Objects;

/**
 * A backfill whose scope overlaps a backfill of the same feature set that is still running
 * (a reset overlaps everything). Nothing was started; both stores are unchanged.
 */
public class BackfillConflictException extends BackfillException {
  private static final long serialVersionUID = 1L;
  private final String runningJobId;

  public BackfillConflictException(String message, String runningJobId) {
    super(message);
    this.runningJobId = Objects.requireNonNull(runningJobId, "runningJobId");
  }

  /** The id of the running job that holds the overlapping scope. */
  public String runningJobId() {
    return runningJobId;
  }
}
