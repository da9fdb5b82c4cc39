package dev.backfill.core;

import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.TimeRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scopes of the backfills running in this client, to refuse overlapping ones. A reset's
 * scope (empty range) overlaps everything of its feature set.
 */
final class RunningScopes {
  private record Scope(String jobId, Optional<TimeRange> range) {
    boolean overlaps(Optional<TimeRange> other) {
      return range.isEmpty() || other.isEmpty() || range.get().overlaps(other.get());
    }

    String describe() {
      return range.map(r -> "over " + r).orElse("as a reset of all data");
    }
  }

  private final Map<String, List<Scope>> byFeatureSet = new HashMap<>();

  /** Claims the scope for the job, or throws naming the running job that holds an overlap. */
  synchronized void acquire(String featureSet, String jobId, Optional<TimeRange> range) {
    List<Scope> scopes = byFeatureSet.computeIfAbsent(featureSet, fs -> new ArrayList<>());
    for (Scope running : scopes) {
      if (running.overlaps(range)) {
        throw new BackfillConflictException("feature set '" + featureSet + "': backfill job " + running.jobId()
            + " is running " + running.describe() + ", which overlaps the requested "
            + range.map(TimeRange::toString).orElse("reset") + "; wait for it or cancel it, "
            + "or backfill a disjoint interval", running.jobId());
      }
    }
    scopes.add(new Scope(jobId, range));
  }

  synchronized void release(String featureSet, String jobId) {
    List<Scope> scopes = byFeatureSet.get(featureSet);
    if (scopes != null) {
      scopes.removeIf(scope -> scope.jobId().equals(jobId));
    }
  }
}
