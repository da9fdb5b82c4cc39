package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An online store that counts what the engine asks of it, for a test of how much work a
 * reconciliation does: each listing of a table's keys, and each key whose row it reads
 * ({@link #getAll}, through which {@link OnlineStore#writeChanged}'s default reads, since
 * {@link ForwardingOnlineStore} does not forward it).
 */
public class CountingOnlineStore extends ForwardingOnlineStore {
  private int keyListings;
  private final List<EntityKey> keysRead = new ArrayList<>();

  public CountingOnlineStore(OnlineStore delegate) {
    super(delegate);
  }

  @Override
  public synchronized Stream<EntityKey> keys(String table) {
    keyListings++;
    return super.keys(table);
  }

  @Override
  public Map<EntityKey, Row> getAll(String table, Collection<EntityKey> keys) {
    synchronized (this) {
      keysRead.addAll(keys);
    }
    return super.getAll(table, keys);
  }

  /** How many times a table's keys were listed since the last {@link #clear()}. */
  public synchronized int keyListings() {
    return keyListings;
  }

  /** Every key whose row was read since the last {@link #clear()}, as often as it was read. */
  public synchronized List<EntityKey> keysRead() {
    return List.copyOf(keysRead);
  }

  /** Starts the counts again from zero. */
  public synchronized void clear() {
    keyListings = 0;
    keysRead.clear();
  }
}
