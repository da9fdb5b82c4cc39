package dev.backfill.examples.crash;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Row;
import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.testkit.CorrectedReadings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The crash tests' data ({@link CorrectedReadings} of 3,000 sensors, 100 of them transient) and
 * clients, shared by the test and the child JVM it stops.
 */
final class CrashScenario {
  static final CorrectedReadings READINGS = new CorrectedReadings(3_000, 2_900, Duration.ofSeconds(1));

  private CrashScenario() {}

  /** A client that owns and closes its stores. */
  static BackfillClient client(Path dir) {
    return BackfillClient.builder()
        .offlineStore("duckdb", Map.of("path", dir.resolve("offline.duckdb").toString()))
        .onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString()))
        .jobHistory(dir.resolve("jobs"))
        .clock(CorrectedReadings.CLOCK)
        .build();
  }

  /** A client on the given online store; the caller closes it (the child JVM never does). */
  static BackfillClient client(Path dir, OnlineStore online) {
    return BackfillClient.builder()
        .offlineStore("duckdb", Map.of("path", dir.resolve("offline.duckdb").toString()))
        .onlineStore(online)
        .jobHistory(dir.resolve("jobs"))
        .clock(CorrectedReadings.CLOCK)
        .build();
  }

  static RocksDbOnlineStore online(Path dir) {
    return RocksDbOnlineStore.open(dir.resolve("online"));
  }

  static FeatureSet featureSet() {
    return READINGS.featureSet();
  }

  static List<Row> version1() {
    return READINGS.version1();
  }

  static List<Row> version2() {
    return READINGS.version2();
  }

  static List<Row> afterCorrection() {
    return READINGS.afterCorrection();
  }
}
