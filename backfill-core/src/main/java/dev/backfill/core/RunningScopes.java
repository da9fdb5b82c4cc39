package dev.backfill.core;

import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.TimeRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The scopes of the backfills running in this client, to refuse overlapping ones. A reset's
 * scope (empty range) overlaps everything of its feature set.
 *
 * <p>A job is registered (findable by its id) in the same critical section that claims its
 * scope, so a {@link BackfillConflictException} never names a job that {@code client.job(id)}
 * does not know. A drop of a feature set is not a job: backfills submitted during it wait for it
 * to end instead of failing with a conflict that names no job.
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
  private final Set<String> dropping = new HashSet<>();

  /**
   * Claims the scope for the job and runs {@code register} while no other claim can see it, or
   * throws naming the running job that holds an overlap. Waits while the feature set is being
   * dropped.
   *
   * @throws InterruptedException when interrupted while a drop is in progress (nothing claimed)
   */
  synchronized void acquire(String featureSet, String jobId, Optional<TimeRange> range, Runnable register)
      throws InterruptedException {
    while (dropping.contains(featureSet)) {
      wait();
    }
    List<Scope> scopes = byFeatureSet.computeIfAbsent(featureSet, fs -> new ArrayList<>());
    for (Scope running : scopes) {
      if (running.overlaps(range)) {
        throw new BackfillConflictException("feature set '" + featureSet + "': backfill job " + running.jobId()
            + " is running " + running.describe() + ", which overlaps the requested "
            + range.map(TimeRange::toString).orElse("reset") + "; wait for it or cancel it, "
            + "or backfill a disjoint interval", running.jobId());
      }
    }
    register.run();
    scopes.add(new Scope(jobId, range));
  }

  synchronized void release(String featureSet, String jobId) {
    List<Scope> scopes = byFeatureSet.get(featureSet);
    if (scopes != null) {
      scopes.removeIf(scope -> scope.jobId().equals(jobId));
    }
  }

  /**
   * Marks the feature set as being dropped, so that submissions wait.
   *
   * @throws BackfillConflictException naming a running backfill of the feature set
   */
  synchronized void beginDrop(String featureSet) throws InterruptedException {
    while (dropping.contains(featureSet)) {
      wait();
    }
    List<Scope> scopes = byFeatureSet.getOrDefault(featureSet, List.of());
    if (!scopes.isEmpty()) {
      String running = scopes.get(0).jobId();
      throw new BackfillConflictException("feature set '" + featureSet + "' cannot be dropped while backfill job "
          + running + " of it runs; wait for it or cancel it", running);
    }
    dropping.add(featureSet);
  }

  synchronized void endDrop(String featureSet) {
    dropping.remove(featureSet);
    notifyAll();
  }
}
