package dev.backfill.iceberg;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.testkit.ForwardingOnlineStore;
import dev.backfill.testkit.InMemoryDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The child JVM of {@link IcebergCrashTest}: runs a corrected interval backfill on the Iceberg
 * store in {@code args[0]} (SQLite catalog, RocksDB online store, a durable job history) and
 * halts the JVM ({@link Runtime#halt}: no shutdown hook, nothing closed) at {@code args[1]}.
 */
public final class IcebergCrashChild {
  static final int HALT_STATUS = 77;
  static final String FEATURE_SET = "readings";
  static final Instant DAY0 = Instant.parse("2024-05-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(DAY0.plus(Duration.ofDays(10)), ZoneOffset.UTC);
  static final TimeRange ALL_DAYS = TimeRange.of(DAY0, DAY0.plus(Duration.ofDays(10)));
  static final TimeRange CORRECTED = TimeRange.of(DAY0.plus(Duration.ofDays(3)), DAY0.plus(Duration.ofDays(7)));
  static final int SENSORS = 300;
  /** Sensors from here on have no rows outside the corrected days and none in version 2: they vanish. */
  static final int TRANSIENT_FROM = 280;
  static final Schema SCHEMA = Schema.of(new Field("sensor", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
      new Field("value", FieldType.DOUBLE), new Field("version", FieldType.LONG));

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
    client.register(featureSet());
    DataSource corrected = InMemoryDataSource.of(SCHEMA, "ts", version2());
    client.backfill(FEATURE_SET).between(CORRECTED.start(), CORRECTED.stop()).source(new Halting(corrected, point))
        .comment("crash test " + point).run();
    System.err.println("the backfill finished without reaching the halt point " + point);
    System.exit(1);
  }

  static IcebergOptions options(Path dir) {
    return IcebergOptions.parse(Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "warehouse", dir.resolve("warehouse").toString()));
  }

  static BackfillClient client(Path dir, OnlineStore online, Map<String, String> catalogProperties) {
    return BackfillClient.builder().offlineStore(IcebergOfflineStore.open(options(dir), catalogProperties))
        .onlineStore(online).jobHistory(dir.resolve("jobs")).clock(CLOCK).build();
  }

  static FeatureSet featureSet() {
    return FeatureSet.builder(FEATURE_SET).key("sensor", FieldType.STRING).eventTime("ts")
        .feature("value", FieldType.DOUBLE).feature("version", FieldType.LONG)
        .source(InMemoryDataSource.of(SCHEMA, "ts", version1())).backfillStart(DAY0).build();
  }

  static List<Row> version1() {
    List<Row> rows = new ArrayList<>();
    for (int day = 0; day < 10; day++) {
      for (int s = 0; s < SENSORS; s++) {
        Instant ts = DAY0.plus(Duration.ofDays(day)).plusSeconds(s * 60L);
        if (s < TRANSIENT_FROM || CORRECTED.contains(ts)) {
          rows.add(Row.of(SCHEMA, "s" + s, ts, s * 1.5 + day, 1L));
        }
      }
    }
    return rows;
  }

  /** The rows of version 2 inside {@link #CORRECTED}. */
  static List<Row> version2() {
    List<Row> rows = new ArrayList<>();
    for (int day = 3; day < 7; day++) {
      for (int s = 0; s < TRANSIENT_FROM; s++) {
        rows.add(Row.of(SCHEMA, "s" + s, DAY0.plus(Duration.ofDays(day)).plusSeconds(s * 60L), -s - day * 0.25, 2L));
      }
    }
    return rows;
  }

  static List<Row> afterCorrection() {
    List<Row> rows = new ArrayList<>();
    for (Row row : version1()) {
      if (!CORRECTED.contains(row.getInstant("ts"))) {
        rows.add(row);
      }
    }
    rows.addAll(version2());
    return rows;
  }

  static List<EntityKey> keys() {
    List<EntityKey> keys = new ArrayList<>();
    for (int s = 0; s < SENSORS; s++) {
      keys.add(EntityKey.of("s" + s));
    }
    return keys;
  }

  /** Halts while reading (before the commit), or arms the halting file IO once read (during it). */
  private static final class Halting implements DataSource {
    private final DataSource delegate;
    private final Point point;
    private final AtomicLong read = new AtomicLong();

    Halting(DataSource delegate, Point point) {
      this.delegate = delegate;
      this.point = point;
    }

    @Override
    public Schema schema() {
      return delegate.schema();
    }

    @Override
    public Stream<Row> read(TimeRange range) {
      return delegate.read(range).peek(row -> {
        if (point == Point.BEFORE_COMMIT && read.incrementAndGet() == 500) {
          Runtime.getRuntime().halt(HALT_STATUS);
        }
      }).onClose(() -> {
        if (point == Point.DURING_COMMIT) {
          System.setProperty(HaltingFileIO.ARM, "true");
        }
      });
    }
  }
}
