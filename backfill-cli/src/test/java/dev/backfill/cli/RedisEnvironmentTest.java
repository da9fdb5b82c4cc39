package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import dev.backfill.duckdb.DuckDbOfflineStore;
import dev.backfill.redis.RedisServer;
import dev.backfill.redis.Resp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 8: an environment whose online store is {@code {type: redis, uri: ...}} works
 * with every command, on a redis-server of the test's own.
 */
class RedisEnvironmentTest {
  @TempDir Path folder;
  private CliHarness cli;
  private RedisServer server;

  @BeforeEach
  void setUp() throws IOException {
    server = RedisServer.start();
    cli = new CliHarness(folder);
    String config = CliHarness.CONFIG.replace("environments:\n", "environments:\n"
        + "  shared:\n"
        + "    offline-store: {type: duckdb, path: data/offline.duckdb}\n"
        + "    online-store: {type: redis, uri: \"redis://127.0.0.1:" + server.port() + "/0\", namespace: features}\n"
        + "    job-history: data/jobs\n");
    Files.writeString(folder.resolve("backfill.yaml"), config);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyCommandWorksOnAnEnvironmentWithRedisOnline() {
    Run backfill = cli.run("features", "backfill", "--environment", "shared", "--feature-set", "driver_trips",
        "--stop-time", "2024-02-01", "--comment", "into redis");
    assertThat(backfill.exitCode()).as(backfill.err()).isZero();
    assertThat(backfill.out()).contains("online keys written   3");
    try (Resp redis = new Resp(server.port())) {
      // ann's last row: 2024-01-20, 20 * 10 + 'a' % 7 = 206 trips.
      assertThat(redis.hgetall("features:driver_trips:{ann}"))
          .isEqualTo(Map.of("@event_time", "1705708800000000", "trips", "206"));

      Run list = cli.run("features", "list", "--environment", "shared");
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).contains("driver_trips");

      Run jobs = cli.run("features", "list-backfills", "--environment", "shared");
      assertThat(jobs.exitCode()).as(jobs.err()).isZero();
      assertThat(jobs.out()).contains("driver_trips").contains("SUCCEEDED").contains("into redis");
      String jobId = jobs.out().lines().skip(1).findFirst().orElseThrow().split(" ")[0];

      Run status = cli.run("features", "backfill-status", "--environment", "shared", "--job", jobId);
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains(jobId).contains("SUCCEEDED");

      // A key changed behind the store's back is put right by repair-online.
      redis.call("HSET", "features:driver_trips:{ann}", "trips", "1");
      Run repair = cli.run("features", "repair-online", "--environment", "shared", "--feature-set", "driver_trips");
      assertThat(repair.exitCode()).as(repair.err()).isZero();
      assertThat(repair.out()).contains("online keys written   1");
      assertThat(redis.hgetall("features:driver_trips:{ann}")).containsEntry("trips", "206");

      Run drop = cli.run("features", "drop", "--yes", "--environment", "shared", "--feature-set", "driver_trips");
      assertThat(drop.exitCode()).as(drop.err()).isZero();
      assertThat(redis.scan("features:driver_trips:*")).isEmpty();
      assertThat(redis.hgetall("features:_tables")).doesNotContainKey("driver_trips");
    }
  }

  @Test
  void aRedisThatIsDownIsOneLineNamingHostAndPortAndNothingIsWrittenOffline() {
    server.stop();

    Run run = cli.run("features", "backfill", "--environment", "shared", "--feature-set", "driver_trips",
        "--stop-time", "2024-02-01");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err().lines()).singleElement().asString()
        .contains("cannot connect to Redis at 127.0.0.1:" + server.port());
    try (DuckDbOfflineStore offline = DuckDbOfflineStore.open(folder.resolve("data/offline.duckdb"))) {
      assertThat(offline.table("driver_trips")).isEmpty();
    }
  }
}
