package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.backfill.redis.RedisServer;
import dev.backfill.redis.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command runs on examples/backfill.yaml and examples/flights.parquet: the
 * same command, on copies of both in a temporary folder, resets airport_delays from the feed and
 * repairs the faulty week into airport_delays_fixed.
 */
class ExampleConfigTest {
  private static final Path EXAMPLES = Path.of(System.getProperty("backfill.repository", "..")).resolve("examples");

  @TempDir Path folder;

  @Test
  void theExampleConfigurationRunsTheEmbeddedDefault() throws IOException {
    Files.copy(EXAMPLES.resolve("backfill.yaml"), folder.resolve("backfill.yaml"));
    Files.copy(EXAMPLES.resolve("flights.parquet"), folder.resolve("flights.parquet"));
    CliHarness cli = new CliHarness(folder, false);

    Run reset = cli.run("features", "backfill", "--reset-backfill", "--yes", "--environment", "local",
        "--feature-set", "airport_delays", "--comment", "first load from the feed");
    assertThat(reset.exitCode()).as(reset.err()).isZero();
    assertThat(reset.out()).contains("rows read             43,867").contains("online keys written   12");
    assertThat(folder.resolve("data/offline.duckdb")).exists();
    assertThat(folder.resolve("data/online")).isDirectory();

    Run fixed = cli.run("features", "backfill", "--environment", "local", "--feature-set", "airport_delays_fixed",
        "--start-time", "2024-03-25", "--stop-time", "2024-04-01");
    assertThat(fixed.exitCode()).as(fixed.err()).isZero();
    assertThat(fixed.out()).contains("rows written          3,408");

    Run list = cli.run("features", "list", "--environment", "local");
    // The header and the three feature sets (airport_delays_spark is for the spark environment).
    assertThat(list.out().lines()).hasSize(4);
  }

  @Test
  void theExampleRedisEnvironmentKeepsTheOnlineRowsInRedis() throws IOException {
    try (RedisServer server = RedisServer.start(); Resp redis = new Resp(server.port())) {
      String config = Files.readString(EXAMPLES.resolve("backfill.yaml"));
      assertThat(config).contains("uri: \"redis://127.0.0.1:6379/0\"");
      Files.writeString(folder.resolve("backfill.yaml"),
          config.replace("redis://127.0.0.1:6379/0", "redis://127.0.0.1:" + server.port() + "/0"));
      Files.copy(EXAMPLES.resolve("flights.parquet"), folder.resolve("flights.parquet"));
      CliHarness cli = new CliHarness(folder, false);

      Run reset = cli.run("features", "backfill", "--reset-backfill", "--yes", "--environment", "redis",
          "--feature-set", "airport_delays");
      assertThat(reset.exitCode()).as(reset.err()).isZero();
      assertThat(reset.out()).contains("rows read             43,867").contains("online keys written   12");
      assertThat(redis.scan("backfill-examples:airport_delays:*")).hasSize(12);
      assertThat(redis.hgetall("backfill-examples:airport_delays:{JFK}")).containsOnlyKeys("@event_time", "delay",
          "distance", "destination");
      assertThat(folder.resolve("data/online")).doesNotExist();
    }
  }
}
