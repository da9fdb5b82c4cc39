package dev.backfill.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable form of a job, one JSON document in the job history. Times are ISO-8601 text so
 * that the journal reads well and needs no extra Jackson module.
 *
 * @param sequence the order of submission among the jobs of one history
 * @param result the counts of a succeeded job, or those known at its offline commit
 * @param committed whether the offline commit happened
 * @param reconciled whether the online store was reconciled after it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record JobRecord(int version, String id, long sequence, String featureSet, String start, String stop, boolean reset,
    boolean stopClamped, String clusterTemplate, List<List<String>> slices, String comment,
    BackfillStatus status, String submittedAt, String finishedAt, int slicesDone, long rowsRead,
    long rowsWritten, Counts result, String failure, boolean committed, boolean reconciled) {

  static final int CURRENT_VERSION = 1;

  /**
   * The counts of a result, without what the plan already holds. {@code rowsDroppedAsContext} came
   * last, so that records written before it read as 0.
   */
  record Counts(long rowsRead, long rowsWritten, long rowsDroppedOutOfRange, long offlineRowsDeleted,
      long onlineKeysWritten, long onlineKeysDeleted, String elapsed, long rowsDroppedAsContext) {
    static Counts of(BackfillResult r) {
      return new Counts(r.rowsRead(), r.rowsWritten(), r.rowsDroppedOutOfRange(), r.offlineRowsDeleted(),
          r.onlineKeysWritten(), r.onlineKeysDeleted(), r.elapsed().toString(), r.rowsDroppedAsContext());
    }
  }

  static JobRecord of(String id, long sequence, BackfillPlan plan, BackfillStatus status, Instant submittedAt,
      Optional<Instant> finishedAt, BackfillProgress progress, Optional<Counts> counts,
      Optional<String> failure, boolean committed, boolean reconciled) {
    return new JobRecord(CURRENT_VERSION, id, sequence, plan.featureSet(), plan.range().start().toString(),
        plan.range().stop().toString(), plan.reset(), plan.stopClamped(), plan.clusterTemplate().name(),
        plan.slices().stream().map(s -> List.of(s.start().toString(), s.stop().toString())).toList(),
        plan.comment().orElse(null), status, submittedAt.toString(), finishedAt.map(Instant::toString).orElse(null),
        progress.slicesDone(), progress.rowsRead(), progress.rowsWritten(), counts.orElse(null),
        failure.orElse(null), committed, reconciled);
  }

  BackfillPlan plan() {
    return new BackfillPlan(featureSet, range(), reset, stopClamped, ClusterTemplate.parse(clusterTemplate),
        slices.stream().map(s -> TimeRange.of(Instant.parse(s.get(0)), Instant.parse(s.get(1)))).toList(),
        Optional.ofNullable(comment));
  }

  TimeRange range() {
    return TimeRange.of(Instant.parse(start), Instant.parse(stop));
  }

  BackfillProgress progress() {
    return new BackfillProgress(slicesDone, slices.size(), rowsRead, rowsWritten);
  }

  Optional<BackfillResult> toResult() {
    return Optional.ofNullable(result).map(c -> new BackfillResult(id, featureSet, range(), reset,
        c.rowsRead(), c.rowsWritten(), c.rowsDroppedOutOfRange(), c.rowsDroppedAsContext(), c.offlineRowsDeleted(),
        c.onlineKeysWritten(), c.onlineKeysDeleted(), c.elapsed() == null ? Duration.ZERO : Duration.parse(c.elapsed())));
  }

  /**
   * Checks that the record can be turned back into a job: its id is the file's, and every field
   * that a job needs is present and parses.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  void check(String expectedId) {
    if (id == null || featureSet == null || start == null || stop == null || status == null || submittedAt == null
        || clusterTemplate == null || slices == null) {
      throw new IllegalArgumentException("a field is missing (id, featureSet, start, stop, status, submittedAt, "
          + "clusterTemplate and slices are required)");
    }
    if (!id.equals(expectedId)) {
      throw new IllegalArgumentException("it holds job " + id + ", not " + expectedId);
    }
    try {
      plan();
      Instant.parse(submittedAt);
      if (finishedAt != null) {
        Instant.parse(finishedAt);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("a time or the plan does not parse: " + e.getMessage(), e);
    }
  }

  JobRecord withOutcome(BackfillStatus newStatus, Instant finished, Optional<BackfillResult> newResult,
      Optional<String> newFailure, boolean nowReconciled) {
    return new JobRecord(version, id, sequence, featureSet, start, stop, reset, stopClamped, clusterTemplate, slices,
        comment, newStatus, submittedAt, finished.toString(), slicesDone, rowsRead, rowsWritten,
        newResult.map(Counts::of).orElse(result), newFailure.orElse(null), committed, nowReconciled);
  }
}
