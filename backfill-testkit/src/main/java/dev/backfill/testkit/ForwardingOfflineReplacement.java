package dev.backfill.testkit;

import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.Slice;
import dev.backfill.spi.Transform;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A replacement that forwards every call, the fast path's {@link #stageFrom} and
 * {@link #cancel()} included, for a test to override the calls it observes or breaks (a commit
 * that blocks, one that fails after it is done).
 */
public class ForwardingOfflineReplacement implements OfflineReplacement {
  private final OfflineReplacement delegate;

  public ForwardingOfflineReplacement(OfflineReplacement delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void write(List<Row> rows) {
    delegate.write(rows);
  }

  @Override
  public Optional<StagedRows> stageFrom(DataSource source, Transform transform, List<Slice> slices) {
    return delegate.stageFrom(source, transform, slices);
  }

  @Override
  public void comment(String comment) {
    delegate.comment(comment);
  }

  @Override
  public void clusterTemplate(ClusterTemplate template) {
    delegate.clusterTemplate(template);
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
  public Stream<EntityKey> changedKeysAnd(Stream<EntityKey> others) {
    return delegate.changedKeysAnd(others);
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
