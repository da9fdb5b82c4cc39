package dev.backfill.api;

/** The lifecycle of a backfill job: PENDING, RUNNING, then one terminal status. */
public enum BackfillStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** Whether the job has finished and its status will not change again. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
