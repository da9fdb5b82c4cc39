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

  private static Optional<TimeRange> days(int from, int to) {
    Instant jan1 = Instant.parse("2024-01-01T00:00:00Z");
    return Optional.of(TimeRange.of(jan1.plusSeconds(86_400L * from), jan1.plusSeconds(86_400L * to)));
  }

  @Test
  void overlappingIntervalsConflictNamingTheRunningJob() {
    scopes.acquire("clicks", "job-1", days(0, 10));

    assertThatThrownBy(() -> scopes.acquire("clicks", "job-2", days(5, 15)))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("job-1"))
        .hasMessageContaining("job-1")
        .hasMessageContaining("'clicks'");
    assertThatThrownBy(() -> scopes.acquire("clicks", "job-3", days(2, 3)))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void aResetConflictsWithARunningInterval() {
    scopes.acquire("clicks", "job-1", days(0, 1));

    assertThatThrownBy(() -> scopes.acquire("clicks", "job-2", RESET))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("job-1"));
  }

  @Test
  void anIntervalConflictsWithARunningReset() {
    scopes.acquire("clicks", "reset-1", RESET);

    assertThatThrownBy(() -> scopes.acquire("clicks", "job-2", days(100, 101)))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("reset-1"))
        .hasMessageContaining("reset");
    assertThatThrownBy(() -> scopes.acquire("clicks", "reset-2", RESET))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void disjointAndAdjacentIntervalsRunTogether() {
    scopes.acquire("clicks", "job-1", days(0, 10));

    assertThatCode(() -> scopes.acquire("clicks", "job-2", days(10, 20))).doesNotThrowAnyException();
    assertThatCode(() -> scopes.acquire("clicks", "job-3", days(30, 40))).doesNotThrowAnyException();
    assertThatThrownBy(() -> scopes.acquire("clicks", "job-4", days(19, 31)))
        .isInstanceOf(BackfillConflictException.class);
  }

  @Test
  void otherFeatureSetsDoNotConflict() {
    scopes.acquire("clicks", "reset-1", RESET);

    assertThatCode(() -> scopes.acquire("views", "reset-2", RESET)).doesNotThrowAnyException();
    assertThatCode(() -> scopes.acquire("orders", "job-3", days(0, 10))).doesNotThrowAnyException();
  }

  @Test
  void releaseFreesOnlyThatJobsScope() {
    scopes.acquire("clicks", "job-1", days(0, 10));
    scopes.acquire("clicks", "job-2", days(20, 30));

    scopes.release("clicks", "job-1");

    assertThatCode(() -> scopes.acquire("clicks", "job-3", days(5, 15))).doesNotThrowAnyException();
    assertThatThrownBy(() -> scopes.acquire("clicks", "job-4", days(25, 26)))
        .isInstanceOfSatisfying(BackfillConflictException.class,
            e -> assertThat(e.runningJobId()).isEqualTo("job-2"));
  }

  @Test
  void releasingAResetFreesTheWholeFeatureSet() {
    scopes.acquire("clicks", "reset-1", RESET);

    scopes.release("clicks", "reset-1");

    assertThatCode(() -> scopes.acquire("clicks", "reset-2", RESET)).doesNotThrowAnyException();
  }

  @Test
  void releasingAnUnknownJobIsHarmless() {
    scopes.acquire("clicks", "job-1", days(0, 10));

    scopes.release("clicks", "job-9");
    scopes.release("views", "job-1");

    assertThatThrownBy(() -> scopes.acquire("clicks", "job-2", days(0, 1)))
        .isInstanceOf(BackfillConflictException.class);
  }
}
