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
 */
@FunctionalInterface
public interface WriteCondition {
  /** Whether the write may replace (or delete) the stored row; {@code stored} empty: no row. */
  boolean permits(Optional<Row> stored);

  /** Always permits. */
  static WriteCondition always() {
    return stored -> true;
  }

  /** Permits when nothing is stored or the stored row is before {@code row} in the order. */
  static WriteCondition storedBefore(Comparator<Row> latestOrder, Row row) {
    Objects.requireNonNull(latestOrder, "latestOrder");
    Objects.requireNonNull(row, "row");
    return stored -> stored.isEmpty() || latestOrder.compare(stored.get(), row) < 0;
  }

  /**
   * Permits unless the stored row's event time is at or after the fence: a row ingested at or
   * after an interval backfill's stop is never overwritten by that backfill.
   */
  static WriteCondition storedBeforeFence(String eventTimeColumn, Instant fence) {
    Objects.requireNonNull(eventTimeColumn, "eventTimeColumn");
    Objects.requireNonNull(fence, "fence");
    return stored -> stored.isEmpty() || stored.get().getInstant(eventTimeColumn).isBefore(fence);
  }
}
