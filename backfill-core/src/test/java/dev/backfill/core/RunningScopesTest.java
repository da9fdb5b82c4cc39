package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.TimeRange;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunningScopesTest {
  private static final Optional<TimeRange> RESET = Optional.empty();
  private final RunningScopes scopes = new RunningScopes();

  private void acquire(String featureSet, String jobId, Optional<TimeRange> range) {
    try {
      scopes.acquire(featureSet, jobId, range, () -> { });
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Optional<TimeRange> days(int from, int to) {
    Instant jan1 = Instant.parse("2024-01-01T00:00:00Z");
    return Optional.of(TimeRange.of(jan1.plusSeconds(86_400L * from), jan1.plusSeconds(86_400L * to)));
  }

  @Test
  void overlappingIntervalsConflictNamingTheRunningJob() {
    acquire("clicks", "job-1", days(0, 10));

    assertThatThrownBy(() -> acquire("clicks", "job-2", days(5, 15)))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("job-1"))
        .hasMessageContaining("job-1")
        .hasMessageContaining("'clicks'");
    assertThatThrownBy(() -> acquire("clicks", "job-3", days(2, 3)))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void aResetConflictsWithARunningInterval() {
    acquire("clicks", "job-1", days(0, 1));

    assertThatThrownBy(() -> acquire("clicks", "job-2", RESET))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("job-1"));
  }

  @Test
  void anIntervalConflictsWithARunningReset() {
    acquire("clicks", "reset-1", RESET);

    assertThatThrownBy(() -> acquire("clicks", "job-2", days(100, 101)))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("reset-1"))
        .hasMessageContaining("reset");
    assertThatThrownBy(() -> acquire("clicks", "reset-2", RESET))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void disjointAndAdjacentIntervalsRunTogether() {
    acquire("clicks", "job-1", days(0, 10));

    assertThatCode(() -> acquire("clicks", "job-2", days(10, 20))).doesNotThrowAnyException();
    assertThatCode(() -> acquire("clicks", "job-3", days(30, 40))).doesNotThrowAnyException();
    assertThatThrownBy(() -> acquire("clicks", "job-4", days(19, 31)))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void otherFeatureSetsDoNotConflict() {
    acquire("clicks", "reset-1", RESET);

    assertThatCode(() -> acquire("views", "reset-2", RESET)).doesNotThrowAnyException();
    assertThatCode(() -> acquire("orders", "job-3", days(0, 10))).doesNotThrowAnyException();
  }

  @Test
  void releaseFreesOnlyThatJobsScope() {
    acquire("clicks", "job-1", days(0, 10));
    acquire("clicks", "job-2", days(20, 30));

    scopes.release("clicks", "job-1");

    assertThatCode(() -> acquire("clicks", "job-3", days(5, 15))).doesNotThrowAnyException();
    assertThatThrownBy(() -> acquire("clicks", "job-4", days(25, 26)))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("job-2"));
  }

  @Test
  void releasingAResetFreesTheWholeFeatureSet() {
    acquire("clicks", "reset-1", RESET);

    scopes.release("clicks", "reset-1");

    assertThatCode(() -> acquire("clicks", "reset-2", RESET)).doesNotThrowAnyException();
  }

  @Test
  void releasingAnUnknownJobIsHarmless() {
    acquire("clicks", "job-1", days(0, 10));

    scopes.release("clicks", "job-9");
    scopes.release("views", "job-1");

    assertThatThrownBy(() -> acquire("clicks", "job-2", days(0, 1)))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void theJobIsRegisteredBeforeAnyConflictCanNameIt() throws Exception {
    // Issue 17 point 9: a conflict named a job that client.job(id) did not know yet.
    java.util.Set<String> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    scopes.acquire("clicks", "job-1", days(0, 10), () -> registered.add("job-1"));

    assertThatThrownBy(() -> scopes.acquire("clicks", "job-2", days(5, 6), () -> registered.add("job-2")))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(registered).contains(e.runningJobId()).doesNotContain("job-2"));
  }

  @Test
  void aRegistrationThatFailsClaimsNothing() {
    assertThatThrownBy(() -> scopes.acquire("clicks", "job-1", RESET, () -> {
      throw new IllegalStateException("refused");
    })).hasMessage("refused");
    assertThatCode(() -> acquire("clicks", "job-2", RESET)).doesNotThrowAnyException();
  }

  @Test
  void aDropConflictsWithARunningJobAndSubmissionsWaitForADropInsteadOfNamingIt() throws Exception {
    acquire("clicks", "job-1", days(0, 1));
    assertThatThrownBy(() -> scopes.beginDrop("clicks"))
        .isInstanceOfSatisfying(BackfillConflictException.class, e -> assertThat(e.runningJobId()).isEqualTo("job-1"));
    scopes.release("clicks", "job-1");

    scopes.beginDrop("clicks");
    java.util.concurrent.CountDownLatch claimed = new java.util.concurrent.CountDownLatch(1);
    Thread submitter = new Thread(() -> {
      acquire("clicks", "job-2", RESET);
      claimed.countDown();
    });
    submitter.start();
    assertThat(claimed.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)).as("waits while the drop runs").isFalse();
    scopes.endDrop("clicks");
    assertThat(claimed.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    submitter.join();
  }
}
