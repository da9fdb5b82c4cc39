package dev.backfill.history.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.testkit.InMemoryOfflineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three (and more) real child JVMs ({@link HistoryChild}) on one PostgreSQL job history. Each
 * child has in-memory stores of its own: only the history is shared, which is what these tests
 * are about (the stores' own sharing is the Redis and Iceberg plugins' concern).
 */
class SharedHistoryProcessesTest {
  private static final String LEASE = "PT4S";
  private static PostgresSchema schema;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeAll
  static void createSchema() {
    schema = new PostgresSchema("h14_processes");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    schema.close();
  }

  @AfterEach
  void stopChildren() {
    for (ChildJvm child : children) {
      child.process.destroyForcibly();
    }
    // Every test starts from an empty history.
    try {
      schema.execute("DELETE FROM \"" + schema.name + "\".backfill_jobs");
    } catch (Exception ignored) {
      // the first test creates the table
    }
  }

  private ChildJvm start(String... args) throws IOException {
    ChildJvm child = ChildJvm.start(HistoryChild.class, "256m", Duration.ofSeconds(60), List.of(args));
    children.add(child);
    return child;
  }

  private static BackfillClient watcher() {
    return BackfillClient.builder().offlineStore(InMemoryOfflineStore.create()).onlineStore(InMemoryOnlineStore.create())
        .jobHistory("jdbc", schema.options(LEASE)).build();
  }

  @Test
  void overlappingSubmissionsOfThreeProcessesConflictNamingJobHostAndProcessAndDisjointOnesRunAtOnce() throws Exception {
    ChildJvm first = start("blocked", schema.name, LEASE, "0", "5");
    String firstJob = first.await("SUBMITTED ");
    long firstPid = Long.parseLong(first.await("PID "));
    ChildJvm disjoint = start("blocked", schema.name, LEASE, "5", "10");
    String disjointJob = disjoint.await("SUBMITTED ");
    ChildJvm overlapping = start("blocked", schema.name, LEASE, "2", "4");

    String conflict = overlapping.await("CONFLICT ");
    assertThat(conflict).contains("backfill job " + firstJob + " is running on host ")
        .contains(", process " + firstPid + " over [2024-01-01T00:00:00Z, 2024-01-06T00:00:00Z)");

    try (BackfillClient watcher = watcher()) {
      JdbcJobHistoryTest.awaitStatus(watcher, firstJob, BackfillStatus.RUNNING);
      JdbcJobHistoryTest.awaitStatus(watcher, disjointJob, BackfillStatus.RUNNING);
      assertThat(watcher.jobs("clicks")).extracting(BackfillJob::id).containsExactly(disjointJob, firstJob);

      // Cancel from a third process (this one): both owners cancel at their next heartbeat.
      assertThat(watcher.cancel(firstJob)).isTrue();
      assertThat(watcher.cancel(disjointJob)).isTrue();
      assertThat(first.await("ENDED ")).isEqualTo("CANCELLED");
      assertThat(disjoint.await("ENDED ")).isEqualTo("CANCELLED");
      assertThat(watcher.job(firstJob).orElseThrow().status()).isEqualTo(BackfillStatus.CANCELLED);
      assertThat(first.count(l -> l.contains("cancelled at the request of another client"))).isEqualTo(1);
    }
    assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aJobWhoseProcessWasKilledIsTakenOverByExactlyOneOfThreeRacingProcessesAndFailed() throws Exception {
    ChildJvm doomed = start("blocked", schema.name, LEASE, "0", "10");
    String job = doomed.await("SUBMITTED ");
    // Read without a client: every client takes over expired jobs, and only the racers may.
    schema.awaitRecorded(LEASE, job, BackfillStatus.RUNNING);
    doomed.kill();

    List<ChildJvm> racers = List.of(start("take-over", schema.name, LEASE), start("take-over", schema.name, LEASE),
        start("take-over", schema.name, LEASE));
    for (ChildJvm racer : racers) {
      racer.await("DONE");
    }
    long takeovers = racers.stream().mapToLong(r -> r.count(l -> l.contains("took over backfill " + job))).sum();
    assertThat(takeovers).as("takeovers of %s among the three", job).isEqualTo(1);
    BackfillJob settled = JobHistorySnapshot.read("jdbc", schema.options(LEASE)).job(job).orElseThrow();
    assertThat(settled.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(settled.failure()).get().asString().contains("stopped before its offline commit");
    ChildJvm taker = racers.stream().filter(r -> r.count(l -> l.contains("took over backfill " + job)) == 1).findFirst()
        .orElseThrow();
    assertThat(schema.queryValue("SELECT pid FROM \"" + schema.name + "\".backfill_jobs WHERE id = '" + job + "'"))
        .isEqualTo(Long.parseLong(taker.await("PID ")));
  }

  @Test
  void aJobKilledAfterItsOfflineCommitIsTakenOverReconciledAndSucceeds() throws Exception {
    ChildJvm doomed = start("hold-online", schema.name, LEASE, "0", "10");
    String job = doomed.await("COMMITTED ");
    doomed.kill();
    ChildJvm taker = start("take-over", schema.name, LEASE);
    taker.await("DONE");
    assertThat(taker.count(l -> l.contains("took over backfill " + job))).isEqualTo(1);
    assertThat(taker.count(l -> l.contains("had committed offline; online reconciled"))).isEqualTo(1);
    try (BackfillClient watcher = watcher()) {
      BackfillJob settled = watcher.job(job).orElseThrow();
      assertThat(settled.status()).isEqualTo(BackfillStatus.SUCCEEDED);
      assertThat(settled.result()).isPresent();
    }
  }

  @Test
  void anotherProcessWatchesTheLiveProgressToTheEnd() throws Exception {
    ChildJvm worker = start("slow", schema.name, LEASE, "0", "10");
    String job = worker.await("SUBMITTED ");
    List<BackfillProgress> seen = new ArrayList<>();
    try (BackfillClient watcher = watcher()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      BackfillJob read = watcher.job(job).orElseThrow();
      while (!read.status().isTerminal() && System.nanoTime() < deadline) {
        if (read.status() == BackfillStatus.RUNNING) {
          seen.add(read.progress());
        }
        Thread.sleep(100);
        read = watcher.job(job).orElseThrow();
      }
      assertThat(read.status()).isEqualTo(BackfillStatus.SUCCEEDED);
      assertThat(read.result().orElseThrow().rowsWritten()).isEqualTo(40);
    }
    assertThat(worker.await("ENDED ")).isEqualTo("SUCCEEDED");
    assertThat(seen).as("progress read while it ran").isNotEmpty();
    assertThat(seen).anySatisfy(p -> assertThat(p.rowsRead()).isPositive().isLessThan(40));
    assertThat(seen).anySatisfy(p -> assertThat(p.slicesDone()).isPositive().isLessThan(p.slicesTotal()));
  }
}
