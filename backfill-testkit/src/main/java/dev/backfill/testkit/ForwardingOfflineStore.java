package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableSpec;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An offline store that forwards every call to another one, for a test to override the calls it
 * observes or breaks; {@link #wrap} lets it do the same to each replacement (see
 * {@link ForwardingOfflineReplacement}). Closing it does not close the store it wraps.
 */
public class ForwardingOfflineStore implements OfflineStore {
  private final OfflineStore delegate;

  public ForwardingOfflineStore(OfflineStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The replacement the engine gets from {@link #beginReplace}; by default the real one. */
  protected OfflineReplacement wrap(OfflineReplacement replacement) {
    return replacement;
  }

  @Override
  public void createTable(TableSpec table) {
    delegate.createTable(table);
  }

  @Override
  public Optional<TableSpec> table(String name) {
    return delegate.table(name);
  }

  @Override
  public void append(String table, List<Row> rows) {
    delegate.append(table, rows);
  }

  @Override
  public OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId) {
    return wrap(delegate.beginReplace(table, range, commitId));
  }

  @Override
  public boolean isCommitted(String table, String commitId) {
    return delegate.isCommitted(table, commitId);
  }

  @Override
  public Stream<Row> scan(String table, TimeRange range) {
    return delegate.scan(table, range);
  }

  @Override
  public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
    return delegate.latest(table, keys);
  }

  @Override
  public Stream<EntityKey> keys(String table, TimeRange range) {
    return delegate.keys(table, range);
  }

  @Override
  public Stream<EntityKey> keysInOrder(String table, TimeRange range, Optional<EntityKey> after) {
    return delegate.keysInOrder(table, range, after);
  }

  @Override
  public void discardStaged(String table, String commitId) {
    delegate.discardStaged(table, commitId);
  }

  @Override
  public void close() {}
}
