package dev.backfill.api;

/**
 * A request, time text, cluster template or option that cannot be executed as given, for
 * example {@code start >= stop}. Raised before anything is written: both stores are unchanged.
 */
public class InvalidBackfillRequestException extends BackfillException {
  private static final long serialVersionUID = 1L;

  public InvalidBackfillRequestException(String message) {
    super(message);
  }

  public InvalidBackfillRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
