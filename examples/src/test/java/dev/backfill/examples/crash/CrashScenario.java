package dev.backfill.examples.crash;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.testkit.InMemoryDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The data of the crash tests, shared by the test and the child JVM it stops: 3,000 sensors
 * with one reading a day for ten days (version 1), and a corrected version 2 of days 3 to 7 in
 * which the sensors that only existed in those days are gone.
 */
final class CrashScenario {
  static final String FEATURE_SET = "readings";
  static final Instant DAY0 = Instant.parse("2024-05-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(DAY0.plus(Duration.ofDays(10)), ZoneOffset.UTC);
  static final TimeRange ALL_DAYS = TimeRange.of(DAY0, DAY0.plus(Duration.ofDays(10)));
  static final TimeRange CORRECTED = TimeRange.of(DAY0.plus(Duration.ofDays(3)), DAY0.plus(Duration.ofDays(7)));
  static final int SENSORS = 3_000;
  /** Sensors from this number on have rows only inside {@link #CORRECTED}, and only in version 1. */
  static final int TRANSIENT_FROM = 2_900;
  static final Schema SCHEMA = Schema.of(new Field("sensor", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
      new Field("value", FieldType.DOUBLE), new Field("version", FieldType.LONG));

  private CrashScenario() {}

  static FeatureSet featureSet() {
    return FeatureSet.builder(FEATURE_SET).key("sensor", FieldType.STRING).eventTime("ts")
        .feature("value", FieldType.DOUBLE).feature("version", FieldType.LONG)
        .source(InMemoryDataSource.of(SCHEMA, "ts", version1()))
        .backfillStart(DAY0).build();
  }

  /** A client that owns and closes its stores. */
  static BackfillClient client(Path dir) {
    return BackfillClient.builder()
        .offlineStore("duckdb", Map.of("path", dir.resolve("offline.duckdb").toString()))
        .onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString()))
        .jobHistory(dir.resolve("jobs"))
        .clock(CLOCK)
        .build();
  }

  /** A client on the given online store; the caller closes it (the child JVM never does). */
  static BackfillClient client(Path dir, OnlineStore online) {
    return BackfillClient.builder()
        .offlineStore("duckdb", Map.of("path", dir.resolve("offline.duckdb").toString()))
        .onlineStore(online)
        .jobHistory(dir.resolve("jobs"))
        .clock(CLOCK)
        .build();
  }

  static RocksDbOnlineStore online(Path dir) {
    return RocksDbOnlineStore.open(dir.resolve("online"));
  }

  static List<Row> version1() {
    List<Row> rows = new ArrayList<>();
    for (int day = 0; day < 10; day++) {
      for (int s = 0; s < SENSORS; s++) {
        Instant ts = DAY0.plus(Duration.ofDays(day)).plusSeconds(s);
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
        rows.add(Row.of(SCHEMA, "s" + s, DAY0.plus(Duration.ofDays(day)).plusSeconds(s), -s - day * 0.25, 2L));
      }
    }
    return rows;
  }

  /** The offline rows after the corrected backfill: version 1 outside the interval, version 2 inside. */
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
}
