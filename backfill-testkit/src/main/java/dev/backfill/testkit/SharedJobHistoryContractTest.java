package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.JobEntry;
import dev.backfill.spi.JobHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a shared {@link JobHistory} ({@code shared()} true), through the SPI alone:
 * several instances on one storage stand for clients of several processes. An implementer
 * returns a new instance on the same storage from {@link #openHistory()} and the lease it was
 * given from {@link #lease()}; the kit closes every instance it opened. Each test uses feature
 * sets and job ids of its own, so the storage may be shared by the tests of one class.
 */
public abstract class SharedJobHistoryContractTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private final List<JobHistory> opened = new ArrayList<>();

  /** A new instance on the history's storage: another client of it. */
  protected abstract JobHistory openHistory();

  /** The lease the instances of {@link #openHistory()} were given (the kit waits it out). */
  protected abstract Duration lease();

  private JobHistory client() {
    JobHistory history = openHistory();
    opened.add(history);
    assertThat(history.shared()).as("a shared history says so").isTrue();
    return history;
  }

  @AfterEach
  final void closeHistories() {
    opened.forEach(JobHistory::close);
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static Optional<TimeRange> days(int from, int to) {
    return Optional.of(TimeRange.of(T0.plus(Duration.ofDays(from)), T0.plus(Duration.ofDays(to))));
  }

  private static JobEntry running(String id, String featureSet, Optional<TimeRange> scope) {
    return new JobEntry(id, featureSet, scope, BackfillStatus.RUNNING, false, true, "{\"job\": \"" + id + "\"}",
        Optional.empty());
  }

  private static JobEntry finished(JobEntry entry) {
    return new JobEntry(entry.id(), entry.featureSet(), entry.scope(), BackfillStatus.SUCCEEDED, true, false,
        "{\"done\": true}", Optional.empty());
  }

  @Test
  void recordsRoundTripWithTheirDocumentUnchanged() {
    JobHistory history = client();
    String featureSet = unique("fs");
    JobEntry entry = running(unique("job"), featureSet, days(0, 2));
    history.submit(entry);
    JobEntry found = history.find(entry.id()).orElseThrow();
    assertThat(found.withHolder(Optional.empty())).isEqualTo(entry);
    assertThat(found.holder()).as("held while the lease holds").isPresent();
    assertThat(history.load()).extracting(JobEntry::id).contains(entry.id());

    history.save(finished(entry));
    assertThat(client().find(entry.id()).orElseThrow().withHolder(Optional.empty())).isEqualTo(finished(entry));
    history.delete(entry.id());
    assertThat(history.find(entry.id())).isEmpty();
    history.delete(entry.id());
  }

  @Test
  void overlappingUnfinishedJobsAreRefusedAcrossClientsDisjointOnesAndFinishedOnesAreNot() {
    JobHistory first = client();
    JobHistory second = client();
    String featureSet = unique("fs");
    JobEntry early = running(unique("job"), featureSet, days(0, 5));
    first.submit(early);

    assertThatThrownBy(() -> second.submit(running(unique("job"), featureSet, days(4, 8))))
        .isInstanceOf(BackfillConflictException.class)
        .hasMessageContaining(early.id())
        .satisfies(e -> assertThat(((BackfillConflictException) e).runningJobId()).isEqualTo(early.id()));
    assertThatThrownBy(() -> second.submit(running(unique("job"), featureSet, Optional.empty())))
        .as("a reset overlaps everything").isInstanceOf(BackfillConflictException.class);

    JobEntry late = running(unique("job"), featureSet, days(5, 9));
    second.submit(late);
    second.submit(running(unique("job"), unique("other-fs"), days(0, 5)));

    first.save(finished(early));
    second.submit(running(unique("job"), featureSet, days(0, 5)));
  }

  @Test
  void onlyTheHolderRecordsAJob() {
    JobHistory holder = client();
    JobEntry entry = running(unique("job"), unique("fs"), days(0, 1));
    holder.submit(entry);
    assertThatThrownBy(() -> client().save(finished(entry))).isInstanceOf(RuntimeException.class);
    holder.save(finished(entry));
    assertThat(holder.find(entry.id()).orElseThrow().status()).isEqualTo(BackfillStatus.SUCCEEDED);
  }

  @Test
  void aCancelRequestReachesTheHolderAtItsRenewal() {
    JobHistory holder = client();
    JobHistory other = client();
    JobEntry entry = running(unique("job"), unique("fs"), days(0, 1));
    holder.submit(entry);
    assertThat(holder.renewLeases()).doesNotContain(entry.id());

    assertThat(other.requestCancel(entry.id())).isTrue();
    assertThat(holder.renewLeases()).contains(entry.id());

    holder.save(finished(entry));
    assertThat(other.requestCancel(entry.id())).as("a finished job").isFalse();
    assertThatThrownBy(() -> other.requestCancel(unique("no-such-job")))
        .isInstanceOf(InvalidBackfillRequestException.class);
  }

  @Test
  void anExpiredJobIsTakenOverByExactlyOneOfTheClientsRacingForIt() throws Exception {
    JobHistory dying = openHistory();
    JobEntry entry = running(unique("job"), unique("fs"), days(0, 1));
    dying.submit(entry);
    JobHistory live = client();
    assertThat(live.takeOverExpired()).extracting(JobEntry::id).doesNotContain(entry.id());
    dying.close();
    Thread.sleep(lease().toMillis() + 500);
    assertThat(live.find(entry.id()).orElseThrow().holder()).as("no live holder after the lease").isEmpty();

    List<JobHistory> racers = List.of(client(), client(), client(), client());
    ExecutorService threads = Executors.newFixedThreadPool(racers.size());
    try {
      List<Future<List<JobEntry>>> taken = new ArrayList<>();
      for (JobHistory racer : racers) {
        taken.add(threads.submit((Callable<List<JobEntry>>) racer::takeOverExpired));
      }
      int winners = 0;
      JobHistory winner = null;
      for (int i = 0; i < racers.size(); i++) {
        if (taken.get(i).get().stream().anyMatch(e -> e.id().equals(entry.id()))) {
          winners++;
          winner = racers.get(i);
        }
      }
      assertThat(winners).isEqualTo(1);
      assertThat(live.find(entry.id()).orElseThrow().holder()).isPresent();
      winner.save(finished(entry));
      assertThat(live.find(entry.id()).orElseThrow().status()).isEqualTo(BackfillStatus.SUCCEEDED);
    } finally {
      threads.shutdownNow();
    }
  }
}
