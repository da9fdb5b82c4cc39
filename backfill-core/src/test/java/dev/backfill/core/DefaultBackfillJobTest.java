package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultBackfillJobTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2024-01-02T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-03T00:00:00Z");
  private static final Instant SUBMITTED = Instant.parse("2024-02-01T09:00:00Z");
  private static final Instant FINISHED = Instant.parse("2024-02-01T09:05:00Z");
  private static final BackfillPlan PLAN = new BackfillPlan("clicks", TimeRange.of(T0, T2), false, false,
      ClusterTemplate.SMALL, List.of(TimeRange.of(T0, T1), TimeRange.of(T1, T2)), Optional.of("why"));

  private final List<BackfillStatus> changes = new ArrayList<>();

  private DefaultBackfillJob newJob() {
    return new DefaultBackfillJob("job-1", 1, PLAN, SUBMITTED, record -> changes.add(record.status()));
  }

  private static BackfillResult result() {
    // Nanosecond precision: the durable record keeps the elapsed time exactly (ISO-8601).
    return new BackfillResult("job-1", "clicks", PLAN.range(), false, 20, 8, 1, 3, 2, 1, Duration.ofNanos(1_234_567_891L));
  }

  @Test
  void cancelBeforeTheCommitGateWinsAndTheGateThenStaysShut() {
    DefaultBackfillJob job = newJob();
    job.markRunning();

    assertThat(job.cancel()).isTrue();
    assertThat(job.isCancelRequested()).isTrue();
    assertThat(job.enterCommit()).isFalse();
  }

  @Test
  void cancelAfterTheCommitGateIsRefused() {
    DefaultBackfillJob job = newJob();
    job.markRunning();

    assertThat(job.enterCommit()).isTrue();
    assertThat(job.cancel()).isFalse();
    assertThat(job.isCancelRequested()).isFalse();
  }

  @Test
  void awaitWithATimeoutIsEmptyWhileRunning() {
    DefaultBackfillJob job = newJob();
    job.markRunning();

    assertThat(job.await(Duration.ZERO)).isEmpty();
    assertThat(job.status()).isEqualTo(BackfillStatus.RUNNING);
    assertThat(job.result()).isEmpty();
  }

  @Test
  void aSucceededJobReturnsItsResult() {
    DefaultBackfillJob job = newJob();
    job.markRunning();
    job.sliceDone();

    job.succeed(result(), FINISHED);

    assertThat(job.await()).isEqualTo(result());
    assertThat(job.await(Duration.ZERO)).contains(result());
    assertThat(job.result()).contains(result());
    assertThat(job.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(job.progress().fraction()).isEqualTo(1.0);
    assertThat(job.cancel()).isFalse();
    assertThat(changes).containsExactly(BackfillStatus.RUNNING, BackfillStatus.SUCCEEDED);
  }

  @Test
  void awaitAcceptsTimeoutsBeyondTheNanosecondRange() {
    // ChronoUnit.FOREVER is a natural "no limit"; its nanoseconds do not fit in a long.
    Duration forever = ChronoUnit.FOREVER.getDuration();
    DefaultBackfillJob running = newJob();
    running.markRunning();
    DefaultBackfillJob done = newJob();
    done.succeed(result(), FINISHED);

    assertThat(done.await(forever)).contains(result());
    assertThat(running.await(forever.negated())).isEmpty();
  }

  @Test
  void aFailedJobThrowsWithTheOriginalCause() {
    DefaultBackfillJob job = newJob();
    job.markRunning();
    IllegalStateException original = new IllegalStateException("source exploded");

    job.fail("source exploded", original, FINISHED);

    assertThatThrownBy(job::await)
        .isInstanceOfSatisfying(BackfillFailedException.class, e -> assertThat(e.jobId()).isEqualTo("job-1"))
        .hasMessageContaining("job-1")
        .hasMessageContaining("source exploded")
        .cause().isSameAs(original);
    assertThatThrownBy(() -> job.await(Duration.ZERO)).isInstanceOf(BackfillFailedException.class);
    assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(job.failure()).contains("source exploded");
    assertThat(job.result()).isEmpty();
    assertThat(job.cancel()).isFalse();
  }

  @Test
  void aCancelledJobThrowsCancelled() {
    DefaultBackfillJob job = newJob();
    job.markRunning();
    job.cancel();

    job.cancelled(FINISHED);

    assertThatThrownBy(job::await)
        .isInstanceOfSatisfying(BackfillCancelledException.class, e -> assertThat(e.jobId()).isEqualTo("job-1"));
    assertThatThrownBy(() -> job.await(Duration.ZERO)).isInstanceOf(BackfillCancelledException.class);
    assertThat(job.status()).isEqualTo(BackfillStatus.CANCELLED);
    assertThat(job.cancel()).isFalse();
  }

  @Test
  void onChangeSeesEachTerminalStatusBeforeAwaitReturns() {
    // The client releases the job's scope in onChange; a caller woken by await() must find it free.
    List<String> seen = new ArrayList<>();
    DefaultBackfillJob[] jobs = new DefaultBackfillJob[3];
    for (int i = 0; i < jobs.length; i++) {
      int index = i;
      jobs[i] = new DefaultBackfillJob("job-" + i, i, PLAN, SUBMITTED, record -> {
        if (record.status().isTerminal()) {
          seen.add(record.status() + (isDone(jobs[index]) ? " after completion" : " before completion"));
        }
      });
    }

    jobs[0].succeed(result(), FINISHED);
    jobs[1].fail("boom", new IllegalStateException("boom"), FINISHED);
    jobs[2].cancelled(FINISHED);

    assertThat(seen).containsExactly("SUCCEEDED before completion", "FAILED before completion",
        "CANCELLED before completion");
  }

  private static boolean isDone(DefaultBackfillJob job) {
    try {
      return job.await(Duration.ZERO).isPresent();
    } catch (RuntimeException finishedWithAnError) {
      return true;
    }
  }

  @Test
  void aSucceededJobRoundTripsThroughItsRecord() {
    DefaultBackfillJob job = newJob();
    job.markRunning();
    job.enterCommit();
    job.markCommitted(8, 1, 0, 3, 0);
    job.succeed(result(), FINISHED);

    DefaultBackfillJob restored = DefaultBackfillJob.fromRecord(job.toRecord(), j -> { });

    assertThat(restored.id()).isEqualTo("job-1");
    assertThat(restored.plan()).isEqualTo(PLAN);
    assertThat(restored.submittedAt()).isEqualTo(SUBMITTED);
    assertThat(restored.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(restored.result()).contains(result());
    assertThat(restored.await()).isEqualTo(result());
    assertThat(restored.progress()).isEqualTo(job.progress());
    assertThat(restored.finishedAt()).contains(FINISHED);
    assertThat(restored.isCommitted()).isTrue();
    assertThat(restored.isReconciled()).isTrue();
    assertThat(restored.cancel()).isFalse();
  }

  @Test
  void aFailedJobRoundTripsThroughItsRecord() {
    DefaultBackfillJob job = newJob();
    job.markRunning();
    job.fail("bad row", new IllegalArgumentException("bad row"), FINISHED);

    DefaultBackfillJob restored = DefaultBackfillJob.fromRecord(job.toRecord(), j -> { });

    assertThat(restored.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(restored.failure()).contains("bad row");
    assertThatThrownBy(restored::await).isInstanceOf(BackfillFailedException.class).hasMessageContaining("bad row");
  }

  @Test
  void aCommittedButUnreconciledJobIsRestoredAsCommittedAndStillRunning() {
    // What recovery reads after a crash between the offline commit and the online reconciliation.
    DefaultBackfillJob job = newJob();
    job.markRunning();
    job.enterCommit();
    job.markCommitted(8, 1, 0, 3, 0);

    DefaultBackfillJob restored = DefaultBackfillJob.fromRecord(job.toRecord(), j -> { });

    assertThat(restored.status()).isEqualTo(BackfillStatus.RUNNING);
    assertThat(restored.isCommitted()).isTrue();
    assertThat(restored.isReconciled()).isFalse();
    assertThat(restored.cancel()).isFalse();
    assertThat(restored.await(Duration.ZERO)).isEmpty();
  }
}
