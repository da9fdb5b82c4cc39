package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.cli.CliHarness.Run;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.duckdb.DuckDbOfflineStore;
import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Transform;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backfill features repair-online} on a real DuckDB file and RocksDB directory. */
class RepairOnlineCommandTest {
  private static final List<String> KEYS = List.of("ann", "bob", "cid", "dan", "zed");

  @TempDir Path folder;
  private CliHarness cli;
  private Schema schema;

  @BeforeEach
  void load() {
    cli = new CliHarness(folder);
    schema = BackfillConfig.load(folder.resolve("backfill.yaml")).featureSet("driver_trips")
        .toFeatureSet(Optional.empty(), Transform.identity()).schema();
    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  private Row row(String driver, String day, long trips) {
    return Row.of(schema, driver, Instant.parse(day + "T00:00:00Z"), trips);
  }

  @Test
  void repairOnlineWritesTheLatestOfflineRowOfEveryStaleKeyAndRemovesKeysWithoutOfflineRows() {
    // What an ingest leaves when its process dies between the offline append and the online
    // write; and an online key whose offline rows are gone.
    try (DuckDbOfflineStore offline = DuckDbOfflineStore.open(folder.resolve("data/offline.duckdb"))) {
      offline.append("driver_trips", List.of(row("ann", "2024-01-25", 999), row("dan", "2024-01-26", 7)));
    }
    try (RocksDbOnlineStore online = RocksDbOnlineStore.open(folder.resolve("data/online"))) {
      online.write("driver_trips", List.of(OnlineWrite.put(EntityKey.of("zed"), row("zed", "2024-01-01", 1))));
    }

    Run run = cli.run("features", "repair-online", "--environment", "local", "--feature-set", "driver_trips");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).startsWith("Online store of driver_trips repaired\n")
        .contains("online keys written   2\n").contains("online keys deleted   1\n");
    var online = cli.contents("driver_trips", KEYS).online();
    assertThat(online).containsOnlyKeys("ann", "bob", "cid", "dan");
    assertThat(online.get("ann")).contains("trips=999");
    assertThat(online.get("dan")).contains("trips=7");

    Run again = cli.run("features", "repair-online", "--environment", "local", "--name", "driver_trips");
    assertThat(again.out()).contains("online keys written   0\n").contains("online keys deleted   0\n");
  }

  @Test
  void anUnknownFeatureSetIsAUsageErrorNamingIt() {
    Run run = cli.run("features", "repair-online", "--environment", "local", "--feature-set", "rides");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().lines()).singleElement().asString().contains("unknown feature set 'rides'");
  }
}
