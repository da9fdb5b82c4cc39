package dev.backfill.history.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.redis.RedisServer;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 point 6 with shared stores: real child JVMs ({@link SharedStoresChild}) on one
 * PostgreSQL job history AND one Iceberg offline store (JDBC catalog in a database of its own on
 * the PostgreSQL at 127.0.0.1:5432, warehouse in a temporary folder) AND one Redis online store
 * (a redis-server this test starts on a free port, from the Redis plugin's test fixtures).
 */
class SharedStoresProcessesTest {
  private static final String LEASE = "PT4S";
  private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  private static final TimeRange ALL = TimeRange.of(ChildSubmission.day(0), ChildSubmission.day(10));
  private static PostgresSchema schema;
  private static String database;
  private static RedisServer redis;
  private static int namespaces;

  @TempDir
  static Path warehouse;

  private final List<ChildJvm> children = new ArrayList<>();
  private String namespace;

  @BeforeAll
  static void start() {
    schema = new PostgresSchema("h14_stores");
    database = "backfill_h14_stores_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + database);
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
    schema.close();
    admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  private static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(SERVER + "postgres?user=postgres");
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432: " + sql + ": " + e.getMessage(), e);
    }
  }

  private static String catalogUri() {
    return SERVER + database + "?user=postgres";
  }

  /** Fresh stores for every test: an Iceberg namespace and a Redis namespace of its own, tables made. */
  @BeforeEach
  void freshStores() {
    namespace = "t" + (++namespaces);
    try (OfflineStore offline = offline(); OnlineStore online = online()) {
      offline.createTable(SharedStoresChild.CLICKS.table());
      online.createTable(SharedStoresChild.CLICKS.table());
    }
  }

  @AfterEach
  void stopChildren() throws Exception {
    for (ChildJvm child : children) {
      child.process.destroyForcibly();
    }
    for (ChildJvm child : children) {
      child.process.waitFor(30, TimeUnit.SECONDS);
    }
    schema.execute("DELETE FROM \"" + schema.name + "\".backfill_jobs");
  }

  private OfflineStore offline() {
    return Plugins.offlineStore("iceberg", SharedStoresChild.icebergOptions(catalogUri(), namespace, warehouse.toString()));
  }

  private OnlineStore online() {
    return Plugins.onlineStore("redis", SharedStoresChild.redisOptions(redis.uri(), namespace));
  }

  private ChildJvm start(String mode, String... rest) throws IOException {
    List<String> args = new ArrayList<>(List.of(mode, schema.name, LEASE, catalogUri(), namespace, warehouse.toString(),
        redis.uri(), namespace));
    args.addAll(List.of(rest));
    ChildJvm child = ChildJvm.start(SharedStoresChild.class, "384m", Duration.ofSeconds(120), args);
    children.add(child);
    return child;
  }

  /** The latest row of every key among the rows of a version: what the online store should hold. */
  private static Map<EntityKey, Row> latestOf(List<Row> rows) {
    Map<EntityKey, Row> latest = new HashMap<>();
    for (Row row : rows) {
      latest.merge(SharedStoresChild.CLICKS.keyOf(row), row, SharedStoresChild.CLICKS.table()::laterOf);
    }
    return latest;
  }

  private static List<EntityKey> onlineKeys(OnlineStore online) {
    try (Stream<EntityKey> keys = online.keys("clicks")) {
      return keys.collect(Collectors.toList());
    }
  }

  @Test
  void overlappingSubmissionsOfTwoProcessesConflictAndBothStoresHoldExactlyTheWinnersResult() throws Exception {
    ChildJvm winner = start("gated", "0", "10", "1");
    String job = winner.await("SUBMITTED ");
    long pid = Long.parseLong(winner.await("PID "));
    schema.awaitRecorded(LEASE, job, BackfillStatus.RUNNING);

    ChildJvm loser = start("gated", "2", "4", "2");
    String conflict = loser.await("CONFLICT ");
    assertThat(conflict).matches("feature set 'clicks': backfill job " + job + " is running on host \\S+, process " + pid
        + " over \\[2024-01-01T00:00:00Z, 2024-01-11T00:00:00Z\\).*");
    assertThat(loser.process.waitFor(60, TimeUnit.SECONDS)).as("the loser ends").isTrue();
    assertThat(loser.count(l -> l.startsWith("SUBMITTED "))).isZero();

    winner.say("go");
    assertThat(winner.await("ENDED ")).isEqualTo("SUCCEEDED");
    assertThat(JobHistorySnapshot.read("jdbc", schema.options(LEASE)).job(job).orElseThrow().status())
        .isEqualTo(BackfillStatus.SUCCEEDED);

    List<Row> winners = SharedStoresChild.rows(1);
    Map<EntityKey, Row> expected = latestOf(winners);
    try (OfflineStore offline = offline(); OnlineStore online = online();
         Stream<Row> scanned = offline.scan("clicks", ALL)) {
      assertThat(scanned.collect(Collectors.toList())).as("the Iceberg table").containsExactlyInAnyOrderElementsOf(winners);
      assertThat(offline.latest("clicks", expected.keySet())).isEqualTo(expected);
      assertThat(online.getAll("clicks", expected.keySet())).as("the Redis values").isEqualTo(expected);
      assertThat(onlineKeys(online)).as("the Redis keys").containsExactlyInAnyOrderElementsOf(expected.keySet());
    }
  }

  @Test
  void aProcessKilledAfterItsOfflineCommitIsTakenOverAndRedisIsReconciledToTheLatestOfflineRows() throws Exception {
    // A first backfill puts version 1 in both stores.
    ChildJvm first = start("run", "0", "10", "1");
    assertThat(first.await("ENDED ")).isEqualTo("SUCCEEDED");
    Map<EntityKey, Row> before = latestOf(SharedStoresChild.rows(1));
    try (OnlineStore online = online()) {
      assertThat(online.getAll("clicks", before.keySet())).isEqualTo(before);
    }

    // The second commits version 2 to Iceberg and is killed (kill -9) before it updates Redis.
    ChildJvm doomed = start("hold-online", "0", "10", "2");
    String job = doomed.await("COMMITTED ");
    long pid = Long.parseLong(doomed.await("PID "));
    assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
    assertThat(doomed.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(doomed.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    assertThat(doomed.count(l -> l.startsWith("ENDED "))).isZero();

    Map<EntityKey, Row> after = latestOf(SharedStoresChild.rows(2));
    assertThat(after).isNotEqualTo(before);
    try (OfflineStore offline = offline(); OnlineStore online = online()) {
      assertThat(offline.latest("clicks", after.keySet())).as("Iceberg after the commit").isEqualTo(after);
      assertThat(online.getAll("clicks", after.keySet())).as("Redis, not yet reconciled").isEqualTo(before);
    }

    ChildJvm taker = start("take-over");
    taker.await("DONE");
    assertThat(taker.count(l -> l.contains("took over backfill " + job))).isEqualTo(1);
    assertThat(taker.count(l -> l.contains("had committed offline; online reconciled"))).isEqualTo(1);
    BackfillJob settled = JobHistorySnapshot.read("jdbc", schema.options(LEASE)).job(job).orElseThrow();
    assertThat(settled.status()).isEqualTo(BackfillStatus.SUCCEEDED);

    try (OfflineStore offline = offline(); OnlineStore online = online();
         Stream<Row> scanned = offline.scan("clicks", ALL)) {
      assertThat(scanned.collect(Collectors.toList())).containsExactlyInAnyOrderElementsOf(SharedStoresChild.rows(2));
      List<EntityKey> keys = onlineKeys(online);
      assertThat(keys).containsExactlyInAnyOrderElementsOf(after.keySet());
      Map<EntityKey, Row> latestOffline = offline.latest("clicks", keys);
      assertThat(latestOffline).isEqualTo(after);
      for (EntityKey key : keys) {
        assertThat(online.get("clicks", key)).as("Redis value of %s", key).contains(latestOffline.get(key));
      }
    }
  }
}
