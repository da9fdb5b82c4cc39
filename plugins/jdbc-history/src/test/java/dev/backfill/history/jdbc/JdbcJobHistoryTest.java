package dev.backfill.history.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOfflineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code jdbc} job history in one JVM: clients with stores of their own that share only the
 * history, as clients of different processes do (the child-process tests are
 * {@link SharedHistoryProcessesTest}).
 */
class JdbcJobHistoryTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  private static PostgresSchema schema;

  @BeforeAll
  static void createSchema() {
    schema = new PostgresSchema("h14_history");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    schema.close();
  }

  private static Instant day(int n) {
    return DAY0.plus(n, ChronoUnit.DAYS);
  }

  /** A feature set of ten days whose transform waits at its first row until the latch opens. */
  static FeatureSet clicks(CountDownLatch gate) {
    FeatureSet fs = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).backfillStart(DAY0).build();
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      rows.add(Row.of(fs.schema(), "u" + (d % 3), day(d), (long) d));
    }
    Transform waiting = Transform.map(fs.schema(), row -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      return row;
    });
    return fs.toBuilder().source(InMemoryDataSource.of(fs.schema(), "ts", rows)).transform(waiting).build();
  }

  private static BackfillClient client(CountDownLatch gate) {
    BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
        .onlineStore(InMemoryOnlineStore.create()).jobHistory("jdbc", schema.options("PT5S")).build();
    client.register(clicks(gate));
    return client;
  }

  @Test
  void tablesAreCreatedOnFirstUseWithTheirVersion() throws Exception {
    try (PostgresSchema own = new PostgresSchema("h14_fresh")) {
      Plugins.jobHistory("jdbc", own.options("PT15S")).close();
      assertThat(own.queryValue("SELECT version FROM \"" + own.name + "\".backfill_history_version"))
          .isEqualTo(JdbcJobHistory.SCHEMA_VERSION);
      Plugins.jobHistory("jdbc", own.options("PT15S")).close();
      assertThat(own.queryValue("SELECT count(*) FROM \"" + own.name + "\".backfill_history_version"))
          .as("opening again adds no version row").isEqualTo(1L);
    }
  }

  @Test
  void readingAHistoryThatDoesNotExistYetFindsNoJobsAndCreatesNothing() throws Exception {
    try (PostgresSchema own = new PostgresSchema("h14_unread")) {
      JobHistorySnapshot snapshot = JobHistorySnapshot.read("jdbc", own.options("PT15S"));
      assertThat(snapshot.jobs("clicks")).isEmpty();
      assertThat(snapshot.job("bf-any")).isEmpty();
      assertThat(own.queryValue("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + own.name + "'"))
          .as("no schema created by a reader").isEqualTo(0L);
    }
  }

  @Test
  void aHistoryOfANewerVersionIsRefusedAndLeftAsItIs() throws Exception {
    try (PostgresSchema own = new PostgresSchema("h14_newer")) {
      Plugins.jobHistory("jdbc", own.options("PT15S")).close();
      own.execute("UPDATE \"" + own.name + "\".backfill_history_version SET version = 2");
      assertThatThrownBy(() -> Plugins.jobHistory("jdbc", own.options("PT15S")))
          .isInstanceOf(StoreException.class)
          .hasMessage("job history on PostgreSQL at 127.0.0.1:5432, database 'test', schema '" + own.name + "': its "
              + "tables are of version 2, newer than this Backfill's 1; use the Backfill release that wrote them or "
              + "a newer one (a history is never migrated down)");
      assertThat(own.queryValue("SELECT version FROM \"" + own.name + "\".backfill_history_version")).isEqualTo(2);
      assertThatThrownBy(() -> JobHistorySnapshot.read("jdbc", own.options("PT15S")))
          .as("a reader refuses it too").isInstanceOf(StoreException.class).hasMessageContaining("newer than");
    }
  }

  @Test
  void anUnreachableServerOrARefusedLoginIsOneLineNamingHostAndDatabase() {
    Map<String, String> unreachable = new HashMap<>(schema.options("PT15S"));
    unreachable.put("url", "jdbc:postgresql://127.0.0.1:1/test");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", unreachable))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("job history on PostgreSQL at 127.0.0.1:1, database 'test': opening the job "
            + "history failed: cannot connect: ")
        .hasMessageEndingWith("; check that PostgreSQL runs there and the url's host and port")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

    Map<String, String> badLogin = new HashMap<>(schema.options("PT15S"));
    badLogin.put("user", "no_such_backfill_role");
    badLogin.put("password", "wrong");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", badLogin))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("job history on PostgreSQL at 127.0.0.1:5432, database 'test': ")
        .hasMessageContaining("no_such_backfill_role")
        .hasMessageEndingWith("; check the options user and password")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("wrong"));

    Map<String, String> noDatabase = new HashMap<>(schema.options("PT15S"));
    noDatabase.put("url", "jdbc:postgresql://127.0.0.1:5432/no_such_backfill_db");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", noDatabase))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("job history on PostgreSQL at 127.0.0.1:5432, database 'no_such_backfill_db': ")
        .hasMessageEndingWith("; create the database or name another in the url");
  }

  @Test
  void badOptionsNameTheOptionAndWhatIsValid() {
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", Map.of()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("option 'url' is required");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", Map.of("url", "postgres://x/y")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("is not a PostgreSQL url; give jdbc:postgresql://HOST[:PORT]/DATABASE");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", Map.of("url", PostgresSchema.URL, "lease", "PT0.5S")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("option 'lease' PT0.5S is shorter than PT1S");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", Map.of("url", PostgresSchema.URL, "schema", "a;b")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("option 'schema' 'a;b' is not a plain SQL name");
    assertThatThrownBy(() -> Plugins.jobHistory("jdbc", Map.of("url", PostgresSchema.URL, "host", "x")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("unknown option 'host' of job history type 'jdbc'; valid options: lease, password, "
            + "schema, uri, url, user");
  }

  @Test
  void overlappingSubmissionsOfTwoClientsConflictDisjointOnesRunAtOnceAndACancelCrossesClients() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (BackfillClient first = client(gate); BackfillClient second = client(gate)) {
      BackfillJob early = first.backfill("clicks").between(day(0), day(5)).submit();

      assertThatThrownBy(() -> second.backfill("clicks").between(day(3), day(8)).submit())
          .isInstanceOf(BackfillConflictException.class)
          .hasMessageContaining("backfill job " + early.id() + " is running on host ")
          .hasMessageContaining(", process " + ProcessHandle.current().pid() + " over " + TimeRange.of(day(0), day(5)))
          .hasMessageContaining("backfill features cancel --job " + early.id())
          .extracting(e -> ((BackfillConflictException) e).runningJobId()).isEqualTo(early.id());
      assertThatThrownBy(() -> second.backfill("clicks").reset().submit())
          .isInstanceOf(BackfillConflictException.class).hasMessageContaining(early.id());

      BackfillJob late = second.backfill("clicks").between(day(5), day(10)).submit();
      awaitStatus(second, early.id(), BackfillStatus.RUNNING);
      awaitStatus(first, late.id(), BackfillStatus.RUNNING);
      assertThat(second.jobs("clicks")).extracting(BackfillJob::id).containsExactlyInAnyOrder(early.id(), late.id());

      assertThat(second.cancel(early.id())).as("asked through the history").isTrue();
      assertThatThrownBy(early::await).isInstanceOf(BackfillCancelledException.class);
      awaitStatus(second, early.id(), BackfillStatus.CANCELLED);

      gate.countDown();
      assertThat(late.await().rowsWritten()).isEqualTo(5);
      assertThat(first.job(late.id()).orElseThrow().status()).isEqualTo(BackfillStatus.SUCCEEDED);
      assertThat(second.cancel(late.id())).as("a finished job is not cancelled").isFalse();
      assertThatThrownBy(() -> first.cancel("bf-no-such-job"))
          .isInstanceOf(InvalidBackfillRequestException.class)
          .hasMessageStartingWith("unknown backfill job 'bf-no-such-job' in the job history on PostgreSQL at "
              + "127.0.0.1:5432, database 'test'");

      JobHistorySnapshot snapshot = JobHistorySnapshot.read("jdbc", schema.options("PT5S"));
      assertThat(snapshot.job(late.id()).orElseThrow().result().orElseThrow().rowsWritten()).isEqualTo(5);
    } finally {
      gate.countDown();
    }
  }

  @Test
  void aFeatureSetIsNotDroppedWhileAnotherClientBackfillsIt() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (BackfillClient runner = client(gate); BackfillClient dropper = client(gate)) {
      BackfillJob running = runner.backfill("clicks").between(day(0), day(2)).submit();
      assertThatThrownBy(() -> dropper.dropFeatureSet("clicks"))
          .isInstanceOf(BackfillConflictException.class)
          .hasMessageStartingWith("feature set 'clicks' cannot be dropped while backfill job " + running.id()
              + " of it runs on host ")
          .hasMessageContaining(", process " + ProcessHandle.current().pid());
      assertThat(dropper.jobs("clicks")).extracting(BackfillJob::id).contains(running.id());
      gate.countDown();
      running.await();
      dropper.dropFeatureSet("clicks");
      assertThat(dropper.job(running.id())).as("its records went with it").isEmpty();
    } finally {
      gate.countDown();
    }
  }

  @Test
  void aConnectionTheServerDroppedIsOpenedAgain() throws Exception {
    try (var history = Plugins.jobHistory("jdbc", schema.options("PT5S"))) {
      var entry = new dev.backfill.spi.JobEntry("bf-reconnect", "reconnect", java.util.Optional.empty(),
          BackfillStatus.RUNNING, false, true, "{}", java.util.Optional.empty());
      history.submit(entry);
      schema.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
          + JdbcJobHistory.applicationName() + "'");
      assertThat(history.find("bf-reconnect")).as("read over a new connection").isPresent();
      assertThat(history.renewLeases()).isEmpty();
      history.delete("bf-reconnect");
    }
  }

  /** Waits (bounded) until the client reads the job in that status. */
  static void awaitStatus(BackfillClient client, String jobId, BackfillStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (client.job(jobId).map(BackfillJob::status).orElse(null) == status) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(client.job(jobId).map(BackfillJob::status)).as("job " + jobId).contains(status);
  }

  @Test
  void aSaveByAClientThatLostTheJobIsRefused() {
    // Covered end to end by the takeover in SharedHistoryProcessesTest; here the guard itself.
    try (var history = Plugins.jobHistory("jdbc", schema.options("PT5S"))) {
      var entry = new dev.backfill.spi.JobEntry("bf-lost", "other", java.util.Optional.empty(), BackfillStatus.RUNNING,
          false, true, "{}", java.util.Optional.empty());
      assertThatThrownBy(() -> history.save(entry))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("backfill job bf-lost is no longer in the history");
      history.submit(entry);
      try (var other = Plugins.jobHistory("jdbc", schema.options("PT5S"))) {
        assertThatThrownBy(() -> other.save(entry))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("backfill job bf-lost is held by another client now (host ")
            .hasMessageContaining("this client no longer records it");
      }
      history.delete("bf-lost");
      assertThat(history.find("bf-lost")).isEmpty();
    }
  }
}
