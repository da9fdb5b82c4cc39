package dev.backfill.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A resolved and validated backfill: what {@link BackfillRequest#plan()} returns and what a job
 * executes. The slices are contiguous, in order, and cover {@code range} exactly.
 *
 * @param stopClamped whether a stop in the future was rounded down to the clock's now
 */
public record BackfillPlan(String featureSet, TimeRange range, boolean reset,
    boolean stopClamped, ClusterTemplate clusterTemplate, List<TimeRange> slices,
    Optional<String> comment) {
  public BackfillPlan {
    Objects.requireNonNull(featureSet, "featureSet");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(clusterTemplate, "clusterTemplate");
    Objects.requireNonNull(comment, "comment");
    slices = List.copyOf(Objects.requireNonNull(slices, "slices"));
    if (slices.isEmpty()) {
      throw new IllegalArgumentException("a plan has at least one slice");
    }
    if (!slices.get(0).start().equals(range.start())
        || !slices.get(slices.size() - 1).stop().equals(range.stop())) {
      throw new IllegalArgumentException("slices must cover the range " + range + " exactly");
    }
    for (int i = 1; i < slices.size(); i++) {
      if (!slices.get(i - 1).stop().equals(slices.get(i).start())) {
        throw new IllegalArgumentException("slices must be contiguous: " + slices.get(i - 1)
            + " then " + slices.get(i));
      }
    }
  }
}
