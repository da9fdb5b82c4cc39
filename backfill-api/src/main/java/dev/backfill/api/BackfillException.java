package dev.backfill.api;

/**
 * Root of every exception Backfill throws. All are unchecked; each message names the feature
 * set, job, column or option at fault and says what would be valid.
 */
public class BackfillException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BackfillException(String message) {
    super(message);
  }

  public BackfillException(String message, Throwable cause) {
    super(message, cause);
  }
}
