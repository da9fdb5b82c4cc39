package dev.backfill.core;

import dev.backfill.api.BackfillJob;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/** How a client and a history snapshot list a feature set's jobs: newest first, by submission. */
final class JobListing {
  private JobListing() {}

  /**
   * The jobs of the feature set, newest first: by submission time, then by sequence, so that jobs
   * submitted in the same instant still list in the order they were submitted.
   */
  static <J extends BackfillJob> List<BackfillJob> newestFirst(Collection<J> jobs, String featureSet,
      ToLongFunction<J> sequence) {
    Objects.requireNonNull(featureSet, "featureSet");
    return jobs.stream()
        .filter(job -> job.plan().featureSet().equals(featureSet))
        .sorted(Comparator.comparing((J job) -> job.submittedAt()).thenComparingLong(sequence).reversed())
        .map(BackfillJob.class::cast)
        .toList();
  }
}
