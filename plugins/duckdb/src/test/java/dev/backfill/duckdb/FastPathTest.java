package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast path (the replacement run as SQL inside DuckDB) must give exactly what the engine's
 * own path gives: the same offline rows, online rows and counts, and the same refusal of bad rows.
 */
class FastPathTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");

  @TempDir Path dir;

  private static Instant day(int n) {
    return DAY0.plus(Duration.ofDays(n));
  }

  /** 40 users, a row every 37 minutes for ten days; users u35..u39 only on days 3 and 4. */
  private Path events(String name, boolean withNullKey) throws Exception {
    Path file = dir.resolve(name);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT " + (withNullKey ? "CASE WHEN i = 100 THEN NULL ELSE 'u' || (i % 40) END" : "'u' || (i % 40)")
          + " AS user_id, make_timestamp((1704067200 + i * 37 * 60)::BIGINT * 1000000) AS ts, i AS n, (i % 13) / 4.0 AS amount "
          + "FROM range(0, 389) r(i) WHERE i % 40 < 35 OR (i * 37 * 60 >= 3 * 86400 AND i * 37 * 60 < 5 * 86400)) TO '"
          + file + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)");
    }
    return file;
  }

  private static FeatureSet featureSet(DataSource source) {
    return FeatureSet.builder("events").key("user_id", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).feature("amount", FieldType.DOUBLE)
        .source(source).backfillStart(DAY0).build();
  }

  private record Outcome(BackfillResult result, List<Row> offline, List<Optional<Row>> online) {}

  private static Outcome run(BackfillClient client, UnaryOperator<BackfillRequest> request) {
    BackfillResult result = request.apply(client.backfill("events")).run();
    List<Row> offline;
    try (Stream<Row> rows = client.readOffline("events", TimeRange.all())) {
      offline = rows.sorted(Comparator.comparing(Row::toString)).toList();
    }
    List<Optional<Row>> online = java.util.stream.IntStream.range(0, 40)
        .mapToObj(u -> client.readOnline("events", EntityKey.of("u" + u))).toList();
    return new Outcome(result, offline, online);
  }

  private static void assertSame(Outcome fast, Outcome jvm) {
    BackfillResult f = fast.result();
    BackfillResult j = jvm.result();
    assertThat(f.rowsRead()).isEqualTo(j.rowsRead());
    assertSameWrites(fast, jvm);
  }

  /**
   * The same writes; rows read may differ with a lookback, since the engine's slices each re-read
   * the lookback window before them, while the fast path reads the source once.
   */
  private static void assertSameWrites(Outcome fast, Outcome jvm) {
    BackfillResult f = fast.result();
    BackfillResult j = jvm.result();
    assertThat(List.of(f.rowsWritten(), f.rowsDroppedOutOfRange(), f.offlineRowsDeleted(), f.onlineKeysWritten(),
        f.onlineKeysDeleted())).isEqualTo(List.of(j.rowsWritten(), j.rowsDroppedOutOfRange(), j.offlineRowsDeleted(),
        j.onlineKeysWritten(), j.onlineKeysDeleted()));
    assertThat(fast.offline()).isEqualTo(jvm.offline());
    assertThat(fast.online()).isEqualTo(jvm.online());
  }

  @Test
  void theFastPathWritesExactlyWhatTheJvmPathWrites() throws Exception {
    DataSource parquet = DuckDbFileSource.parquet(events("events.parquet", false).toString(), "ts");
    try (BothPaths paths = new BothPaths(dir, featureSet(parquet))) {
      BackfillClient fast = paths.fast;
      BackfillClient jvm = paths.jvm;

      UnaryOperator<BackfillRequest> reset = r -> r.reset().between(DAY0, day(10));
      Outcome loaded = run(fast, reset);
      assertSame(loaded, run(jvm, reset));
      assertThat(loaded.result().rowsWritten()).isEqualTo(loaded.offline().size()).isGreaterThan(300);

      Transform times10 = SqlTransform.of("SELECT user_id, ts, n * 10 AS n, amount FROM source", Duration.ZERO);
      UnaryOperator<BackfillRequest> corrected = r -> r.between(day(3), day(5)).transform(times10);
      Outcome correctedFast = run(fast, corrected);
      assertSame(correctedFast, run(jvm, corrected));
      assertThat(correctedFast.result().offlineRowsDeleted()).isPositive();

      // A one-day window needs the day before the range: read with lookback, then dropped and counted.
      Transform rolling = SqlTransform.of("SELECT user_id, ts, count(*) OVER (PARTITION BY user_id ORDER BY ts "
          + "RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) AS n, amount FROM source", Duration.ofDays(1));
      UnaryOperator<BackfillRequest> windowed = r -> r.between(day(6), day(8)).transform(rolling);
      Outcome windowedFast = run(fast, windowed);
      Outcome windowedJvm = run(jvm, windowed);
      assertSameWrites(windowedFast, windowedJvm);
      assertThat(windowedFast.result().rowsDroppedOutOfRange()).isPositive();
      long sourceRowsFromDay5ToDay8;
      try (Stream<Row> rows = parquet.read(TimeRange.of(day(5), day(8)))) {
        sourceRowsFromDay5ToDay8 = rows.count();
      }
      assertThat(windowedFast.result().rowsRead()).isEqualTo(sourceRowsFromDay5ToDay8);
      assertThat(windowedJvm.result().rowsRead()).isGreaterThanOrEqualTo(sourceRowsFromDay5ToDay8);

      UnaryOperator<BackfillRequest> removeTransients = r -> r.between(day(3), day(5))
          .transform(SqlTransform.of("SELECT * FROM source WHERE user_id NOT IN ('u35', 'u36')", Duration.ZERO));
      Outcome removed = run(fast, removeTransients);
      assertSame(removed, run(jvm, removeTransients));
      assertThat(removed.online().get(35)).isEmpty();
      assertThat(removed.result().onlineKeysDeleted()).isEqualTo(2);

      assertThat(paths.fastStore.stagedInStore()).isEqualTo(4);
      assertThat(paths.jvmStore.stagedInStore()).isZero();
    }
  }

  /**
   * The sandbox check the fast path now runs first refuses nothing a feature query needs: CASE,
   * casts, a window with a lookback, an aggregation, CTEs and comments all take the fast path
   * and write exactly what the JVM path writes.
   */
  @Test
  void featureQueriesStillTakeTheFastPathAndMatchTheJvmPath() throws Exception {
    try (BothPaths paths = new BothPaths(dir, featureSet(DuckDbFileSource.parquet(events("events.parquet", false).toString(), "ts")))) {
      List<Transform> queries = List.of(
          SqlTransform.of("SELECT user_id, ts, CASE WHEN n % 2 = 0 THEN n ELSE -n END AS n, "
              + "CAST(round(amount * 100) AS BIGINT) / 100.0 AS amount FROM source -- cents, rounded", Duration.ZERO),
          SqlTransform.of("SELECT user_id, ts, count(*) OVER w AS n, avg(amount) OVER w AS amount FROM source "
              + "WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL 2 DAYS PRECEDING AND CURRENT ROW);",
              Duration.ofDays(2)),
          // An aggregation that keeps each row's event time, as the point-in-time rule asks.
          SqlTransform.of("WITH per_time AS (SELECT user_id, ts, CAST(sum(n) AS BIGINT) AS n, max(amount) AS amount, count(*) AS rows "
              + "FROM source GROUP BY ALL) SELECT user_id, ts, n, amount FROM per_time WHERE rows > 0", Duration.ZERO));
      UnaryOperator<BackfillRequest> reset = r -> r.reset().between(DAY0, day(10));
      assertSame(run(paths.fast, reset), run(paths.jvm, reset));
      for (Transform query : queries) {
        UnaryOperator<BackfillRequest> interval = r -> r.between(day(4), day(7)).transform(query);
        Outcome viaStore = run(paths.fast, interval);
        assertSameWrites(viaStore, run(paths.jvm, interval));
        assertThat(viaStore.result().rowsWritten()).as("%s", query).isPositive();
      }
      assertThat(paths.fastStore.stagedInStore()).isEqualTo(1 + queries.size());
    }
  }

  @Test
  void aNullKeyFailsTheFastPathAsItFailsTheJvmPathAndChangesNothing() throws Exception {
    DataSource good = DuckDbFileSource.parquet(events("good.parquet", false).toString(), "ts");
    DataSource bad = DuckDbFileSource.parquet(events("bad.parquet", true).toString(), "ts");
    for (boolean fastPath : List.of(true, false)) {
      try (BackfillClient client = BackfillClient.builder()
          .offlineStore(DuckDbOfflineStore.open(Optional.of(dir.resolve(fastPath + ".duckdb")), fastPath))
          .onlineStore(InMemoryOnlineStore.create()).build()) {
        client.register(featureSet(good));
        Outcome before = run(client, r -> r.reset().between(DAY0, day(10)));
        assertThatThrownBy(() -> client.backfill("events").reset().between(DAY0, day(10)).source(bad).run())
            .isInstanceOf(BackfillFailedException.class)
            .cause().isInstanceOf(InvalidRowException.class).hasMessageContaining("user_id").hasMessageContaining("null");
        try (Stream<Row> rows = client.readOffline("events", TimeRange.all())) {
          assertThat(rows.sorted(Comparator.comparing(Row::toString)).toList()).as("fast path %s", fastPath)
              .isEqualTo(before.offline());
        }
      }
    }
  }
}
