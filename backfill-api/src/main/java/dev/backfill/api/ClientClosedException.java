package dev.backfill.api;

/**
 * A call on a {@link BackfillClient} after its {@link BackfillClient#close()}: every method but
 * {@code close()} itself throws it, at the call, so that a request is refused where it is made
 * rather than when it runs. Jobs already returned stay readable.
 */
public class ClientClosedException extends BackfillException {
  private static final long serialVersionUID = 1L;

  public ClientClosedException(String message) {
    super(message);
  }
}
