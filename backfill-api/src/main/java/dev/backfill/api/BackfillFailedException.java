package dev.backfill.api;

import java.util.Objects;

/**
 * Thrown by {@link BackfillJob#await()} when the job failed. The cause is the original error
 * (for example an {@link InvalidRowException} or the exception a source threw).
 */
public class BackfillFailedException extends BackfillException {
  private static final long serialVersionUID = 1L;
  private final String jobId;

  public BackfillFailedException(String jobId, String message, Throwable cause) {
    super("backfill job " + jobId + " failed: " + message, cause);
    this.jobId = Objects.requireNonNull(jobId, "jobId");
  }

  public String jobId() {
    return jobId;
  }
}
