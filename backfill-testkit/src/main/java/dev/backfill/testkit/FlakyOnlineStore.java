package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Wraps an online store and fails every write while {@link #failWrites(boolean)} is on: a
 * server that went away, for testing what happens between the offline commit and the online
 * reconciliation. Does not close the wrapped store.
 */
public final class FlakyOnlineStore implements OnlineStore {
  private final OnlineStore delegate;
  private final AtomicBoolean failing = new AtomicBoolean();

  public FlakyOnlineStore(OnlineStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** Turns write failures on or off. */
  public void failWrites(boolean fail) {
    failing.set(fail);
  }

  @Override
  public void createTable(TableSpec table) {
    delegate.createTable(table);
  }

  @Override
  public Optional<Row> get(String table, EntityKey key) {
    return delegate.get(table, key);
  }

  @Override
  public Map<EntityKey, Row> getAll(String table, Collection<EntityKey> keys) {
    return delegate.getAll(table, keys);
  }

  @Override
  public long write(String table, List<OnlineWrite> writes) {
    if (failing.get()) {
      throw new StoreException("online store unavailable (injected failure)");
    }
    return delegate.write(table, writes);
  }

  @Override
  public Stream<EntityKey> keys(String table) {
    return delegate.keys(table);
  }

  @Override
  public void close() {}
}
