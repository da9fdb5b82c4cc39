package dev.backfill.spi;

import dev.backfill.api.Row;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether an {@link OnlineWrite} may be applied, given the row stored for its key at that
 * moment. Stores call {@link #permits} inside their per-key atomic section, possibly several
 * times for one write when they retry optimistically; implementations are pure functions, safe
 * from any thread.
 *
 * <p>The conditions made by this interface's factories also describe themselves as data
 * ({@link #declared()}), so that a store on a server can evaluate them on the server, atomically
 * with the write, in one round trip.
 */
@FunctionalInterface
public interface WriteCondition {
  /** Whether the write may replace (or delete) the stored row; {@code stored} empty: no row. */
  boolean permits(Optional<Row> stored);

  /**
   * This condition as data, when it has a declared form: a store may then evaluate the form
   * instead of calling {@link #permits}, and must reach the same decision. Empty (the default)
   * for a condition that is only code, such as a lambda; the store then calls {@link #permits}.
   */
  default Optional<DeclaredCondition> declared() {
    return Optional.empty();
  }

  /** Always permits. */
  static WriteCondition always() {
    return new DeclaredWriteCondition(new DeclaredCondition.Always(), stored -> true);
  }

  /**
   * Permits when nothing is stored or the stored row is before {@code row} in the order. Declared
   * ({@link DeclaredCondition.StoredBefore}) when the order is a {@link TableSpec#latestOrder()};
   * the store evaluates the declared form in the latest order of the table it writes to.
   */
  static WriteCondition storedBefore(Comparator<Row> latestOrder, Row row) {
    Objects.requireNonNull(latestOrder, "latestOrder");
    Objects.requireNonNull(row, "row");
    WriteCondition test = stored -> stored.isEmpty() || latestOrder.compare(stored.get(), row) < 0;
    return latestOrder instanceof TableSpec.LatestOrder
        ? new DeclaredWriteCondition(new DeclaredCondition.StoredBefore(row), test)
        : test;
  }

  /**
   * Permits unless the stored row's event time is at or after the fence: a row ingested at or
   * after an interval backfill's stop is never overwritten by that backfill.
   */
  static WriteCondition storedBeforeFence(String eventTimeColumn, Instant fence) {
    Objects.requireNonNull(eventTimeColumn, "eventTimeColumn");
    Objects.requireNonNull(fence, "fence");
    return new DeclaredWriteCondition(new DeclaredCondition.StoredBeforeFence(eventTimeColumn, fence),
        stored -> stored.isEmpty() || stored.get().getInstant(eventTimeColumn).isBefore(fence));
  }
}
