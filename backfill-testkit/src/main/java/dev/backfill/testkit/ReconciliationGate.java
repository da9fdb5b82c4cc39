package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Slice;
import dev.backfill.spi.TableSpec;
import dev.backfill.spi.Transform;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Wraps an offline store and holds every backfill between its offline commit and its online
 * reconciliation: a committed replacement's {@link OfflineReplacement#changedKeys()}, which the
 * engine calls to start reconciling, signals {@link #awaitHeld} and waits for {@link #release()}.
 * For testing what ingest and readers see in that window, deterministically. Does not close the
 * wrapped store.
 */
public final class ReconciliationGate implements OfflineStore {
  private final OfflineStore delegate;
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final long waitSeconds;

  /**
   * @param waitSeconds how long a held job waits for {@link #release()} before it goes on anyway,
   *     so that a test that fails before releasing does not hang
   */
  public ReconciliationGate(OfflineStore delegate, long waitSeconds) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.waitSeconds = waitSeconds;
  }

  /** Whether a job reached its reconciliation within the time given. */
  public boolean awaitHeld(long seconds) throws InterruptedException {
    return held.await(seconds, TimeUnit.SECONDS);
  }

  /** Lets every held job (and every later one) reconcile. */
  public void release() {
    released.countDown();
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
    return new Held(delegate.beginReplace(table, range, commitId));
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
  public RangeContents contents(String table, TimeRange range) {
    return delegate.contents(table, range);
  }

  @Override
  public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
    return delegate.latest(table, keys);
  }

  @Override
  public void close() {}

  private final class Held implements OfflineReplacement {
    private final OfflineReplacement replacement;

    Held(OfflineReplacement replacement) {
      this.replacement = replacement;
    }

    @Override
    public void write(List<Row> rows) {
      replacement.write(rows);
    }

    @Override
    public Optional<StagedRows> stageFrom(DataSource source, Transform transform, List<Slice> slices) {
      return replacement.stageFrom(source, transform, slices);
    }

    @Override
    public Commit commit() {
      return replacement.commit();
    }

    @Override
    public Stream<EntityKey> changedKeys() {
      hold();
      return replacement.changedKeys();
    }

    @Override
    public Stream<EntityKey> changedKeysAnd(Stream<EntityKey> others) {
      hold();
      return replacement.changedKeysAnd(others);
    }

    private void hold() {
      held.countDown();
      try {
        released.await(waitSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      replacement.close();
    }
  }
}
