package dev.backfill.api;

/** A store that cannot do what was asked: unreachable, locked, corrupt, or misconfigured. */
public class StoreException extends BackfillException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
