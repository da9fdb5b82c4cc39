package dev.backfill.api;

import java.util.Objects;

/** Thrown by {@link BackfillJob#await()} when the job was cancelled before its offline commit. */
public class BackfillCancelledException extends BackfillException {
  private static final long serialVersionUID = 1L;
  private final String jobId;

  public BackfillCancelledException(String jobId) {
    super("backfill job " + jobId + " was cancelled before its offline commit; both stores are unchanged");
    this.jobId = Objects.requireNonNull(jobId, "jobId");
  }

  public String jobId() {
    return jobId;
  }
}
