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
 * @param stage the job's {@link BackfillProgress.Stage} when recorded (absent in records written
 *     before stages were recorded)
 * @param runtime how long the job has run so far (ISO-8601), in every process that ran it: the
 *     elapsed time of a recovered job is its own run time, not the time since its submission
 * @param recovery how far a recovery of the job got, when one has started and not finished
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record JobRecord(int version, String id, long sequence, String featureSet, String start, String stop, boolean reset,
    boolean stopClamped, String clusterTemplate, List<List<String>> slices, String comment,
    BackfillStatus status, String submittedAt, String finishedAt, int slicesDone, long rowsRead,
    long rowsWritten, Counts result, String failure, boolean committed, boolean reconciled, String stage,
    String runtime, Recovery recovery) {

  static final int CURRENT_VERSION = 1;

  /**
   * The counts of a result, without what the plan already holds. {@code rowsDroppedAsContext} and
   * {@code rowsWithoutEventTime} came last, so that records written before them read as 0.
   */
  record Counts(long rowsRead, long rowsWritten, long rowsDroppedOutOfRange, long offlineRowsDeleted,
      long onlineKeysWritten, long onlineKeysDeleted, String elapsed, long rowsDroppedAsContext,
      long rowsWithoutEventTime) {
    static Counts of(BackfillResult r) {
      return new Counts(r.rowsRead(), r.rowsWritten(), r.rowsDroppedOutOfRange(), r.offlineRowsDeleted(),
          r.onlineKeysWritten(), r.onlineKeysDeleted(), r.elapsed().toString(), r.rowsDroppedAsContext(),
          r.rowsWithoutEventTime());
    }
  }

  /**
   * How far a recovery got: the keys of one phase are listed in the store's key order, and every
   * key up to {@code after} (of that phase) has been brought to its latest offline row, durably.
   *
   * @param phase {@code ONLINE_KEYS} (every online key), then {@code OFFLINE_KEYS} (the keys with
   *     offline rows in the job's scope)
   * @param after the last key done in the phase, as {@link KeyText} writes it; null when the
   *     phase has not begun
   * @param keysTotal the keys of both phases, counted when the recovery first started
   */
  record Recovery(String phase, List<String> after, long keysDone, long keysTotal, long keysWritten,
      long keysDeleted) {
    static final String OFFLINE_KEYS = "OFFLINE_KEYS";
    static final String ONLINE_KEYS = "ONLINE_KEYS";

    Recovery advanced(List<String> lastKey, long keys, long written, long deleted) {
      return new Recovery(phase, lastKey, keysDone + keys, keysTotal, keysWritten + written, keysDeleted + deleted);
    }

    Recovery nextPhase() {
      return new Recovery(OFFLINE_KEYS, null, keysDone, keysTotal, keysWritten, keysDeleted);
    }
  }

  /** What a job knows of itself besides its plan, for {@link #of}. */
  record State(BackfillStatus status, Optional<Instant> finishedAt, BackfillProgress progress, Optional<Counts> counts,
      Optional<String> failure, boolean committed, boolean reconciled, Duration runtime, Optional<Recovery> recovery) {}

  static JobRecord of(String id, long sequence, BackfillPlan plan, Instant submittedAt, State state) {
    BackfillProgress progress = state.progress();
    return new JobRecord(CURRENT_VERSION, id, sequence, plan.featureSet(), plan.range().start().toString(),
        plan.range().stop().toString(), plan.reset(), plan.stopClamped(), plan.clusterTemplate().name(),
        plan.slices().stream().map(s -> List.of(s.start().toString(), s.stop().toString())).toList(),
        plan.comment().orElse(null), state.status(), submittedAt.toString(),
        state.finishedAt().map(Instant::toString).orElse(null), progress.slicesDone(), progress.rowsRead(),
        progress.rowsWritten(), state.counts().orElse(null), state.failure().orElse(null), state.committed(),
        state.reconciled(), progress.stage().name(), state.runtime().toString(), state.recovery().orElse(null));
  }

  /** This record with the counts and stage of a newer progress of the same run. */
  JobRecord withProgress(BackfillProgress progress) {
    return new JobRecord(version, id, sequence, featureSet, start, stop, reset, stopClamped, clusterTemplate, slices,
        comment, status, submittedAt, finishedAt, progress.slicesDone(), progress.rowsRead(), progress.rowsWritten(),
        result, failure, committed, reconciled, progress.stage().name(), runtime, recovery);
  }

  /** The recorded run time; zero in records written before it was recorded. */
  Duration runtimeSoFar() {
    return runtime == null ? Duration.ZERO : Duration.parse(runtime);
  }

  /** The recorded stage; for records written before stages were, the one their flags imply. */
  BackfillProgress.Stage recordedStage() {
    if (stage != null) {
      return BackfillProgress.Stage.valueOf(stage);
    }
    if (status.isTerminal()) {
      return BackfillProgress.Stage.FINISHED;
    }
    if (status == BackfillStatus.PENDING) {
      return BackfillProgress.Stage.QUEUED;
    }
    return committed ? BackfillProgress.Stage.UPDATING_ONLINE : BackfillProgress.Stage.READING;
  }

  BackfillPlan plan() {
    return new BackfillPlan(featureSet, range(), reset, stopClamped, ClusterTemplate.parse(clusterTemplate),
        slices.stream().map(s -> TimeRange.of(Instant.parse(s.get(0)), Instant.parse(s.get(1)))).toList(),
        Optional.ofNullable(comment));
  }

  TimeRange range() {
    return TimeRange.of(Instant.parse(start), Instant.parse(stop));
  }

  /** The progress as recorded, in the given stage. */
  BackfillProgress progress(BackfillProgress.Stage inStage) {
    return new BackfillProgress(slicesDone, slices.size(), rowsRead, rowsWritten, inStage,
        recovery == null ? 0 : recovery.keysDone(), recovery == null ? 0 : recovery.keysTotal());
  }

  Optional<BackfillResult> toResult() {
    return Optional.ofNullable(result).map(c -> new BackfillResult(id, featureSet, range(), reset,
        c.rowsRead(), c.rowsWritten(), c.rowsDroppedOutOfRange(), c.rowsDroppedAsContext(), c.offlineRowsDeleted(),
        c.onlineKeysWritten(), c.onlineKeysDeleted(), c.elapsed() == null ? Duration.ZERO : Duration.parse(c.elapsed()),
        c.rowsWithoutEventTime()));
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
      runtimeSoFar();
      recordedStage();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("a time or the plan does not parse: " + e.getMessage(), e);
    }
  }

}
