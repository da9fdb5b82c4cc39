package dev.backfill.testkit;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * A source that reads another and tells a test of every row read (the running count over all
 * reads, from 1) and of the end of every read (its stream closed): where a crash test halts its
 * child JVM, or arms something that halts it later. What the wrapped source gives is unchanged.
 */
public final class ObservedSource implements DataSource {
  private final DataSource delegate;
  private final LongConsumer onRow;
  private final Runnable onReadClosed;
  private final AtomicLong rows = new AtomicLong();

  /**
   * @param onRow called with the count of rows read so far, on the reading thread, before the row
   *     reaches the engine; called from several threads when the engine reads slices in parallel
   * @param onReadClosed called when a read's stream is closed
   */
  public ObservedSource(DataSource delegate, LongConsumer onRow, Runnable onReadClosed) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.onRow = Objects.requireNonNull(onRow, "onRow");
    this.onReadClosed = Objects.requireNonNull(onReadClosed, "onReadClosed");
  }

  /** A source that calls {@code action} once its {@code row}-th row is read. */
  public static ObservedSource atRow(DataSource delegate, long row, Runnable action) {
    return new ObservedSource(delegate, read -> {
      if (read == row) {
        action.run();
      }
    }, () -> { });
  }

  @Override
  public Schema schema() {
    return delegate.schema();
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    return delegate.read(range).peek(row -> onRow.accept(rows.incrementAndGet())).onClose(onReadClosed);
  }

  @Override
  public String toString() {
    return "observed " + delegate;
  }
}
