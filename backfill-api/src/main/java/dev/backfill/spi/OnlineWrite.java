package dev.backfill.spi;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One conditional write of an online key: set it to {@code row}, or delete it when the row is
 * empty, if {@code condition} permits given the row stored now.
 */
public record OnlineWrite(EntityKey key, Optional<Row> row, WriteCondition condition) {
  public OnlineWrite {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(row, "row");
    Objects.requireNonNull(condition, "condition");
  }

  /** Newest wins (ingest): applied when nothing is stored or the row is later in the order. */
  public static OnlineWrite putIfLater(EntityKey key, Row row, Comparator<Row> latestOrder) {
    return new OnlineWrite(key, Optional.of(row), WriteCondition.storedBefore(latestOrder, row));
  }

  /** Unconditional put. */
  public static OnlineWrite put(EntityKey key, Row row) {
    return new OnlineWrite(key, Optional.of(row), WriteCondition.always());
  }

  /** Unconditional delete. */
  public static OnlineWrite delete(EntityKey key) {
    return new OnlineWrite(key, Optional.empty(), WriteCondition.always());
  }

  /** A put or delete skipped when the stored row's event time is at or after the fence. */
  public static OnlineWrite fenced(EntityKey key, Optional<Row> row, String eventTimeColumn, Instant fence) {
    return new OnlineWrite(key, row, WriteCondition.storedBeforeFence(eventTimeColumn, fence));
  }

  public boolean isDelete() {
    return row.isEmpty();
  }
}
