package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import dev.backfill.redis.RedisServer;
import dev.backfill.redis.Resp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples' {@code iceberg-redis} environment (an Iceberg offline store on a SQLite catalog
 * and a local warehouse, the Redis online store) with every command of the command line, on
 * copies of examples/backfill.yaml and examples/flights.parquet and a redis-server of the test's
 * own on a free port (the example's {@code 127.0.0.1:6379} rewritten to it).
 */
class IcebergRedisEnvironmentTest {
  private static final Path EXAMPLES = Path.of(System.getProperty("backfill.repository", "..")).resolve("examples");
  private static final String NAMESPACE = "backfill-iceberg-examples";

  @TempDir Path folder;
  private RedisServer server;
  private CliHarness cli;

  @BeforeEach
  void setUp() throws IOException {
    server = RedisServer.start();
    String config = Files.readString(EXAMPLES.resolve("backfill.yaml"));
    assertThat(config).contains("  iceberg-redis:").contains("namespace: " + NAMESPACE);
    Files.writeString(folder.resolve("backfill.yaml"),
        config.replace("redis://127.0.0.1:6379/0", "redis://127.0.0.1:" + server.port() + "/0"));
    Files.copy(EXAMPLES.resolve("flights.parquet"), folder.resolve("flights.parquet"));
    cli = new CliHarness(folder, false);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyCommandWorksOnTheIcebergRedisEnvironmentOfTheExamples() {
    try (Resp redis = new Resp(server.port())) {
      Run reset = cli.run("features", "backfill", "--reset-backfill", "--yes", "--environment", "iceberg-redis",
          "--feature-set", "airport_delays", "--comment", "first load from the feed");
      assertThat(reset.exitCode()).as(reset.err()).isZero();
      assertThat(reset.out()).contains("rows read             43,867").contains("online keys written   12");
      assertThat(folder.resolve("data/iceberg-redis/catalog.db")).exists();
      assertThat(folder.resolve("data/iceberg-redis/warehouse/backfill/airport_delays/metadata")).isDirectory();
      assertThat(redis.scan(NAMESPACE + ":airport_delays:*")).hasSize(12);
      String jfkBefore = redis.hgetall(NAMESPACE + ":airport_delays:{JFK}").get("delay");
      assertThat(redis.hgetall(NAMESPACE + ":airport_delays:{JFK}"))
          .containsOnlyKeys("@event_time", "delay", "distance", "destination");

      Run fixed = cli.run("features", "backfill", "--environment", "iceberg-redis", "--feature-set",
          "airport_delays_fixed", "--reset-backfill", "--yes", "--comment", "delays in minutes");
      assertThat(fixed.exitCode()).as(fixed.err()).isZero();
      assertThat(fixed.out()).contains("online keys written   12");
      assertThat(redis.scan(NAMESPACE + ":airport_delays_fixed:*")).hasSize(12);

      Run week = cli.run("features", "backfill", "--environment", "iceberg-redis", "--feature-set", "airport_delays",
          "--start-time", "2024-03-25", "--stop-time", "2024-04-01", "--comment", "the faulty week");
      assertThat(week.exitCode()).as(week.err()).isZero();
      assertThat(week.out()).contains("rows written          3,408");

      assertThat(cli.run("features", "list", "--environment", "iceberg-redis").out())
          .contains("airport_delays").contains("airport_delays_fixed");
      Run listing = cli.run("features", "list-backfills", "--environment", "iceberg-redis");
      assertThat(listing.exitCode()).as(listing.err()).isZero();
      assertThat(listing.out().lines().filter(line -> line.contains("SUCCEEDED"))).hasSize(3);
      String jobId = listing.out().lines().filter(line -> line.contains("SUCCEEDED")).findFirst().orElseThrow().trim()
          .split("\\s+")[0];
      Run status = cli.run("features", "backfill-status", "--environment", "iceberg-redis", "--job", jobId);
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains("SUCCEEDED");

      // A key changed behind the store's back is put right from the Iceberg table's latest rows.
      redis.call("HSET", NAMESPACE + ":airport_delays:{JFK}", "delay", "-1");
      Run repair = cli.run("features", "repair-online", "--environment", "iceberg-redis", "--feature-set",
          "airport_delays");
      assertThat(repair.exitCode()).as(repair.err()).isZero();
      assertThat(repair.out()).contains("online keys written   1");
      assertThat(redis.hgetall(NAMESPACE + ":airport_delays:{JFK}")).containsEntry("delay", jfkBefore);

      Run drop = cli.run("features", "drop", "--yes", "--environment", "iceberg-redis", "--feature-set",
          "airport_delays");
      assertThat(drop.exitCode()).as(drop.err()).isZero();
      assertThat(folder.resolve("data/iceberg-redis/warehouse/backfill/airport_delays")).doesNotExist();
      assertThat(redis.scan(NAMESPACE + ":airport_delays:*")).isEmpty();
      assertThat(redis.scan(NAMESPACE + ":airport_delays_fixed:*")).hasSize(12);
    }
  }
}
