package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An online store that forwards every call to another one, for a test to override the calls it
 * observes or breaks ({@link FlakyOnlineStore} fails writes; a test may halt the JVM in one, or
 * watch {@link #sync()}). Closing it does not close the store it wraps: its owner does.
 *
 * <p>{@link OnlineStore#writeChanged} is deliberately not forwarded: its default reads and writes
 * through this store's {@link #getAll} and {@link #write}, so a test that observes or breaks
 * writes sees the engine's reconciliation writes too, whatever shortcut the wrapped store takes.
 */
public class ForwardingOnlineStore implements OnlineStore {
  private final OnlineStore delegate;

  public ForwardingOnlineStore(OnlineStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
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
    return delegate.write(table, writes);
  }

  @Override
  public Stream<EntityKey> keys(String table) {
    return delegate.keys(table);
  }

  @Override
  public Stream<EntityKey> keysInOrder(String table, Optional<EntityKey> after) {
    return delegate.keysInOrder(table, after);
  }

  @Override
  public void sync() {
    delegate.sync();
  }

  @Override
  public void close() {}
}
