package dev.backfill.iceberg;

import dev.backfill.api.BackfillClient;
import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.testkit.CorrectedReadings;
import dev.backfill.testkit.ForwardingOnlineStore;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.ObservedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The child JVM of {@link IcebergCrashTest}: runs a corrected interval backfill on the Iceberg
 * store in {@code args[0]} (SQLite catalog, RocksDB online store, a durable job history) and
 * halts the JVM ({@link Runtime#halt}: no shutdown hook, nothing closed) at {@code args[1]}.
 */
public final class IcebergCrashChild {
  static final int HALT_STATUS = 77;
  static final CorrectedReadings READINGS = new CorrectedReadings(300, 280, Duration.ofMinutes(1));

  /** Where the child stops. */
  enum Point { BEFORE_COMMIT, DURING_COMMIT, AFTER_COMMIT }

  private IcebergCrashChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    Point point = Point.valueOf(args[1]);
    OnlineStore online = new ForwardingOnlineStore(RocksDbOnlineStore.open(dir.resolve("online"))) {
      @Override
      public long write(String table, List<OnlineWrite> batch) {
        if (point == Point.AFTER_COMMIT) {
          Runtime.getRuntime().halt(HALT_STATUS);
        }
        return super.write(table, batch);
      }
    };
    BackfillClient client = client(dir, online, Map.of("io-impl", HaltingFileIO.class.getName()));
    client.register(READINGS.featureSet());
    DataSource corrected = InMemoryDataSource.of(CorrectedReadings.SCHEMA, "ts", READINGS.version2());
    client.backfill(CorrectedReadings.FEATURE_SET).between(CorrectedReadings.CORRECTED.start(), CorrectedReadings.CORRECTED.stop()).source(halting(corrected, point))
        .comment("crash test " + point).run();
    System.err.println("the backfill finished without reaching the halt point " + point);
    System.exit(1);
  }

  /** Halts while reading (before the commit), or arms the halting file IO once read (during it). */
  private static DataSource halting(DataSource corrected, Point point) {
    return new ObservedSource(corrected, read -> {
      if (point == Point.BEFORE_COMMIT && read == 500) {
        Runtime.getRuntime().halt(HALT_STATUS);
      }
    }, () -> {
      if (point == Point.DURING_COMMIT) {
        System.setProperty(HaltingFileIO.ARM, "true");
      }
    });
  }

  static IcebergOptions options(Path dir) {
    return IcebergOptions.parse(Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "warehouse", dir.resolve("warehouse").toString()));
  }

  static BackfillClient client(Path dir, OnlineStore online, Map<String, String> catalogProperties) {
    return BackfillClient.builder().offlineStore(IcebergOfflineStore.open(options(dir), catalogProperties))
        .onlineStore(online).jobHistory(dir.resolve("jobs")).clock(CorrectedReadings.CLOCK).build();
  }
}
