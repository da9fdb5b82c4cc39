package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.TableSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A plain model of the replacement contract (DESIGN.md section 2) for one feature set, to check
 * an engine and its stores against: the offline multiset {@code O} as a list, and the online
 * state derived as {@code latest(O, k)} for every key. Not thread-safe; it is the reference, so
 * it is as simple as it can be.
 */
public final class ReplacementOracle {
  private final TableSpec table;
  private final Comparator<Row> order;
  private final List<Row> offline = new ArrayList<>();

  public ReplacementOracle(FeatureSet featureSet) {
    this.table = Objects.requireNonNull(featureSet, "featureSet").table();
    this.order = table.latestOrder();
  }

  /** {@code O := O + rows}. */
  public void ingest(List<Row> rows) {
    offline.addAll(rows);
  }

  /**
   * {@code O' = (reset ? {} : {r in O : t(r) not in R}) + New}, where {@code New} is the output
   * rows inside {@code R}.
   *
   * @param output every row the transform produced; those outside the range are dropped
   * @return how many output rows were dropped as out of range
   */
  public long backfill(TimeRange range, boolean reset, List<Row> output) {
    if (reset) {
      offline.clear();
    } else {
      offline.removeIf(row -> range.contains(table.eventTimeOf(row)));
    }
    long dropped = 0;
    for (Row row : output) {
      if (range.contains(table.eventTimeOf(row))) {
        offline.add(row);
      } else {
        dropped++;
      }
    }
    return dropped;
  }

  /** The offline rows, as a multiset in the canonical order of {@link #canonical}. */
  public List<Row> offline() {
    return canonical(offline);
  }

  /** The offline rows with event time in the range, canonical order. */
  public List<Row> offline(TimeRange range) {
    return canonical(offline.stream().filter(r -> range.contains(table.eventTimeOf(r))).toList());
  }

  /** {@code latest(O, k)} for every key that has a row. */
  public Map<EntityKey, Row> online() {
    Map<EntityKey, Row> latest = new HashMap<>();
    for (Row row : offline) {
      latest.merge(table.keyOf(row), row, table::laterOf);
    }
    return latest;
  }

  /** Rows sorted by the table's latest order, so that two multisets compare as lists. */
  public List<Row> canonical(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(order);
    return sorted;
  }
}
