package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples' {@code iceberg} environment (an Iceberg offline store on a SQLite catalog and a
 * local warehouse, RocksDB online) with every command of the command line, on copies of
 * examples/backfill.yaml and examples/flights.parquet.
 */
class IcebergEnvironmentTest {
  private static final Path EXAMPLES = Path.of(System.getProperty("backfill.repository", "..")).resolve("examples");

  @TempDir Path folder;

  @Test
  void everyCommandWorksOnTheIcebergEnvironmentOfTheExamples() throws IOException {
    Files.copy(EXAMPLES.resolve("backfill.yaml"), folder.resolve("backfill.yaml"));
    Files.copy(EXAMPLES.resolve("flights.parquet"), folder.resolve("flights.parquet"));
    CliHarness cli = new CliHarness(folder, false);

    Run reset = cli.run("features", "backfill", "--reset-backfill", "--yes", "--environment", "iceberg",
        "--feature-set", "airport_delays", "--comment", "first load from the feed");
    assertThat(reset.exitCode()).as(reset.err()).isZero();
    assertThat(reset.out()).contains("rows read             43,867").contains("online keys written   12");
    assertThat(folder.resolve("data/iceberg/catalog.db")).exists();
    assertThat(folder.resolve("data/iceberg/warehouse/backfill/airport_delays/metadata")).isDirectory();

    Run fixed = cli.run("features", "backfill", "--environment", "iceberg", "--feature-set", "airport_delays",
        "--start-time", "2024-03-25", "--stop-time", "2024-04-01", "--comment", "the faulty week");
    assertThat(fixed.exitCode()).as(fixed.err()).isZero();
    assertThat(fixed.out()).contains("rows written          3,408");

    assertThat(cli.run("features", "list", "--environment", "iceberg").out()).contains("airport_delays");
    Run listing = cli.run("features", "list-backfills", "--environment", "iceberg");
    assertThat(listing.exitCode()).as(listing.err()).isZero();
    assertThat(listing.out().lines().filter(line -> line.contains("SUCCEEDED"))).hasSize(2);
    String jobId = listing.out().lines().filter(line -> line.contains("SUCCEEDED")).findFirst().orElseThrow().trim()
        .split("\\s+")[0];
    Run status = cli.run("features", "backfill-status", "--environment", "iceberg", "--job", jobId);
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("SUCCEEDED");

    Run repair = cli.run("features", "repair-online", "--environment", "iceberg", "--feature-set", "airport_delays");
    assertThat(repair.exitCode()).as(repair.err()).isZero();

    Run drop = cli.run("features", "drop", "--yes", "--environment", "iceberg", "--feature-set", "airport_delays");
    assertThat(drop.exitCode()).as(drop.err()).isZero();
    assertThat(folder.resolve("data/iceberg/warehouse/backfill/airport_delays")).doesNotExist();
    Run again = cli.run("features", "backfill", "--reset-backfill", "--yes", "--environment", "iceberg",
        "--feature-set", "airport_delays");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("online keys written   12");
  }
}
