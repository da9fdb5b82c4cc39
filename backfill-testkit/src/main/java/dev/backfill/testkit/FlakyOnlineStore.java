package dev.backfill.testkit;

import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps an online store and fails every write (and {@link #sync()}) while
 * {@link #failWrites(boolean)} is on: a server that went away, for testing what happens between
 * the offline commit and the online reconciliation. Does not close the wrapped store.
 */
public final class FlakyOnlineStore extends ForwardingOnlineStore {
  private final AtomicBoolean failing = new AtomicBoolean();

  public FlakyOnlineStore(OnlineStore delegate) {
    super(delegate);
  }

  /** Turns write failures on or off. */
  public void failWrites(boolean fail) {
    failing.set(fail);
  }

  @Override
  public long write(String table, List<OnlineWrite> writes) {
    checkAvailable();
    return super.write(table, writes);
  }

  /** Fails while writes fail: a store that is away cannot make its writes durable either. */
  @Override
  public void sync() {
    checkAvailable();
    super.sync();
  }

  private void checkAvailable() {
    if (failing.get()) {
      throw new StoreException("online store unavailable (injected failure)");
    }
  }
}
