package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableSpec;
import dev.backfill.spi.Transform;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An offline store and replacement that forward every call to real ones, for a test to override
 * the one call it observes or breaks (the online side is {@link ForwardingOnlineStore}). Closing
 * them does not close the store they wrap.
 */
final class ForwardingStores {
  private ForwardingStores() {}

  static class Offline implements OfflineStore {
    private final OfflineStore delegate;

    Offline(OfflineStore delegate) {
      this.delegate = delegate;
    }

    /** The replacement the engine gets; by default the real one. */
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
    public void close() {}
  }

  static class Replacement implements OfflineReplacement {
    private final OfflineReplacement delegate;

    Replacement(OfflineReplacement delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(List<Row> rows) {
      delegate.write(rows);
    }

    @Override
    public Optional<StagedRows> stageFrom(DataSource source, Transform transform, TimeRange range) {
      return delegate.stageFrom(source, transform, range);
    }

    @Override
    public Commit commit() {
      return delegate.commit();
    }

    @Override
    public Stream<EntityKey> changedKeys() {
      return delegate.changedKeys();
    }

    @Override
    public void cancel() {
      delegate.cancel();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
