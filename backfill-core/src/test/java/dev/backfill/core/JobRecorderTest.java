package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Published progress never overwrites a later transition, and never a finished job's record. */
class JobRecorderTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2024-01-02T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-03T00:00:00Z");
  private static final BackfillPlan PLAN = new BackfillPlan("clicks", TimeRange.of(T0, T2), false, false,
      ClusterTemplate.SMALL, List.of(TimeRange.of(T0, T1), TimeRange.of(T1, T2)), Optional.empty());

  private static JobRecord record(BackfillStatus status, BackfillProgress progress) {
    return JobRecord.of("job-1", 1, PLAN, T2, new JobRecord.State(status, Optional.empty(), progress, Optional.empty(),
        Optional.empty(), false, false, Duration.ZERO, Optional.empty()));
  }

  private static JobRecord stored(InMemoryJobHistory history) {
    return JobDocuments.record(history.find("job-1").orElseThrow());
  }

  @Test
  void progressIsPublishedOnTheLastTransitionAndNotAfterTheEnd() {
    InMemoryJobHistory history = new InMemoryJobHistory();
    JobRecorder recorder = new JobRecorder(history);
    recorder.publishProgress(() -> new BackfillProgress(1, 2, 10, 10));
    assertThat(history.find("job-1")).as("nothing recorded yet: nothing to publish on").isEmpty();

    recorder.save(record(BackfillStatus.RUNNING, new BackfillProgress(0, 2, 0, 0, BackfillProgress.Stage.READING, 0, 0)));
    recorder.publishProgress(() -> new BackfillProgress(1, 2, 10, 8, BackfillProgress.Stage.READING, 0, 0));
    JobRecord published = stored(history);
    assertThat(published.status()).isEqualTo(BackfillStatus.RUNNING);
    assertThat(published.progress(BackfillProgress.Stage.READING)).isEqualTo(
        new BackfillProgress(1, 2, 10, 8, BackfillProgress.Stage.READING, 0, 0));

    recorder.save(record(BackfillStatus.SUCCEEDED, new BackfillProgress(2, 2, 20, 16, BackfillProgress.Stage.FINISHED, 0, 0)));
    recorder.publishProgress(() -> new BackfillProgress(1, 2, 10, 8, BackfillProgress.Stage.READING, 0, 0));
    assertThat(stored(history).status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(stored(history).rowsRead()).isEqualTo(20);
  }
}
