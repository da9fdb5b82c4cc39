package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 target 1: the fast path inserts a range in one scan when that gives the same rows in
 * the same order as its slice-by-slice inserts (a row-wise transform without a lookback over a
 * Parquet source in time order), and slice by slice otherwise; both give what the JVM path gives.
 */
class OneScanInsertTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Schema INPUT = Schema.of(List.of(new Field("user_id", FieldType.STRING),
      new Field("ts", FieldType.TIMESTAMP), new Field("n", FieldType.LONG), new Field("amount", FieldType.DOUBLE)));

  @TempDir Path dir;

  /** 6,000 rows of 50 users over ten days, in row groups of 500, in time order or in reverse. */
  private Path events(String name, boolean inTimeOrder) throws Exception {
    Path file = dir.resolve(name);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 'u' || (i % 50) AS user_id, make_timestamp((1704067200 + i * 144)::BIGINT * 1000000) AS ts, "
          + "i AS n, (i % 13) / 4.0 AS amount FROM range(6000) r(i) ORDER BY i" + (inTimeOrder ? "" : " DESC") + ") TO '"
          + file + "' (FORMAT parquet, ROW_GROUP_SIZE 500)");
    }
    return file;
  }

  private static FeatureSet featureSet(DataSource source) {
    return FeatureSet.builder("events").key("user_id", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).feature("amount", FieldType.DOUBLE).source(source).backfillStart(DAY0).build();
  }

  private static List<Row> offline(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline("events", TimeRange.all())) {
      return rows.sorted(Comparator.comparing(Row::toString)).toList();
    }
  }

  private static List<?> online(BackfillClient client) {
    return IntStream.range(0, 50).mapToObj(u -> client.readOnline("events", EntityKey.of("u" + u))).toList();
  }

  @Test
  void theRowOrderOfAParquetSourceIsReadFromItsMetadata() throws Exception {
    assertThat(DuckDbFileSource.parquet(events("ordered.parquet", true).toString(), "ts").inTimeOrder()).isTrue();
    assertThat(DuckDbFileSource.parquet(events("reversed.parquet", false).toString(), "ts").inTimeOrder()).isFalse();
    Path csv = dir.resolve("ordered.csv");
    Files.writeString(csv, "user_id,ts,n,amount\nu1,2024-01-01 00:00:00,1,0.5\nu1,2024-01-02 00:00:00,2,0.5\n");
    assertThat(DuckDbFileSource.csv(csv, "ts").inTimeOrder()).as("a CSV file is never taken as ordered").isFalse();
  }

  @Test
  void onlyQueriesOfProjectionsAndFiltersOverOneScanAreRowWise() {
    for (String rowWise : List.of("SELECT * FROM source",
        "SELECT user_id, ts, n * 10 AS n, CASE WHEN amount > 1 THEN amount ELSE 0 END AS amount FROM source WHERE n % 2 = 0",
        "SELECT user_id, ts + INTERVAL 1 HOUR AS ts, n, amount FROM source")) {
      assertThat(UserSql.isRowWise(rowWise, INPUT)).as(rowWise).isTrue();
    }
    for (String notRowWise : List.of(
        "SELECT user_id, ts, count(*) OVER (PARTITION BY user_id ORDER BY ts) AS n, amount FROM source",
        "SELECT user_id, ts, CAST(sum(n) AS BIGINT) AS n, max(amount) AS amount FROM source GROUP BY ALL",
        "SELECT DISTINCT * FROM source",
        "SELECT * FROM source ORDER BY ts",
        "SELECT * FROM source LIMIT 10",
        "SELECT * FROM source WHERE n > (SELECT avg(n) FROM source)",
        "SELECT * FROM source UNION ALL SELECT * FROM source",
        "SELECT a.user_id, a.ts, b.n, a.amount FROM source a JOIN source b ON a.user_id = b.user_id AND a.ts = b.ts")) {
      assertThat(UserSql.isRowWise(notRowWise, INPUT)).as(notRowWise).isFalse();
    }
  }

  @Test
  void aQueryKeepsTheEventTimeOnlyWhenItSelectsTheSourceColumnUnchanged() {
    for (String keeps : List.of("SELECT * FROM source", "SELECT user_id, ts, n, amount FROM source WHERE n > 3",
        "SELECT user_id, s.TS AS ts, n * 2 AS n, amount FROM source s", "SELECT user_id, ts AS ts, n, amount FROM source")) {
      assertThat(UserSql.keepsColumn(keeps, "ts", "ts")).as(keeps).isTrue();
    }
    assertThat(UserSql.keepsColumn("SELECT user_id, event_ts AS ts, n, amount FROM source", "ts", "event_ts")).isTrue();
    for (String changes : List.of("SELECT user_id, ts + INTERVAL 1 HOUR AS ts, n, amount FROM source",
        "SELECT * REPLACE (ts + INTERVAL 1 HOUR AS ts) FROM source",
        "SELECT user_id, ts, n, amount FROM (SELECT user_id, ts + INTERVAL 1 HOUR AS ts, n, amount FROM source)",
        "WITH x AS (SELECT * FROM source) SELECT * FROM x",
        "SELECT user_id, date_trunc('day', ts) AS ts, n, amount FROM source",
        "SELECT user_id, n AS ts, ts AS n, amount FROM source")) {
      assertThat(UserSql.keepsColumn(changes, "ts", "ts")).as(changes).isFalse();
    }
    assertThat(UserSql.keepsColumn("SELECT * FROM source", "ts", "event_ts")).as("another column of the name").isFalse();
  }

  @Test
  void aQueryThatGivesOneRowForEachInputRowIsToldFromOneThatDropsOrAddsRows() {
    for (String keeps : List.of("SELECT * FROM source", "SELECT user_id, ts, n * 2 AS n, amount FROM source",
        "select user_id, ts, CASE WHEN n > 3 THEN 1 ELSE 0 END AS n, amount from source;")) {
      assertThat(UserSql.keepsEveryRow(keeps)).as(keeps).isTrue();
    }
    for (String changes : List.of("SELECT * FROM source WHERE n > 3", "SELECT DISTINCT * FROM source",
        "SELECT * FROM source LIMIT 10", "SELECT * FROM source ORDER BY ts", "SELECT * FROM source USING SAMPLE 10%",
        "WITH s AS (SELECT * FROM source) SELECT * FROM s", "SELECT * FROM (SELECT * FROM source)",
        "SELECT user_id, max(ts) AS ts FROM source GROUP BY user_id", "SELECT * FROM source UNION ALL SELECT * FROM source")) {
      assertThat(UserSql.keepsEveryRow(changes)).as(changes).isFalse();
    }
  }

  @Test
  void aParquetSourceShowsByItsMetadataWhetherAColumnCanHoldANull() throws Exception {
    DuckDbFileSource ordered = DuckDbFileSource.parquet(events("ordered.parquet", true).toString(), "ts");
    assertThat(ordered.provablyNoNulls(List.of("user_id"))).isTrue();
    assertThat(ordered.provablyNoNulls(List.of("USER_ID", "ts"))).as("names compare as DuckDB compares them").isTrue();
    assertThat(ordered.provablyNoNulls(List.of("user_id", "no_such_column"))).isFalse();
    DuckDbFileSource oneNull = DuckDbFileSource.parquet(eventsWithANullUser().toString(), "ts");
    assertThat(oneNull.provablyNoNulls(List.of("user_id"))).as("one null in row group 7 of 12").isFalse();
    assertThat(oneNull.provablyNoNulls(List.of("n"))).isTrue();
    Path csv = dir.resolve("no-nulls.csv");
    Files.writeString(csv, "user_id,ts,n,amount\nu1,2024-01-01 00:00:00,1,0.5\n");
    assertThat(DuckDbFileSource.csv(csv, "ts").provablyNoNulls(List.of("user_id"))).as("a CSV file has no metadata").isFalse();
  }

  @Test
  void aNullKeyIsFoundWhenTheMetadataCannotRuleItOut() throws Exception {
    DataSource noNulls = DuckDbFileSource.parquet(events("ordered.parquet", true).toString(), "ts");
    DataSource oneNull = DuckDbFileSource.parquet(eventsWithANullUser().toString(), "ts");
    Transform keeps = SqlTransform.of("SELECT user_id, ts, n, amount FROM source", Duration.ZERO);
    Transform makesANull = SqlTransform.of("SELECT NULLIF(user_id, 'u7') AS user_id, ts, n, amount FROM source", Duration.ZERO);
    try (BothPaths paths = new BothPaths(dir, featureSet(noNulls))) {
      for (BackfillClient client : paths.clients()) {
        client.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9))).transform(keeps).run();
        List<Row> before = offline(client);
        assertThatThrownBy(() -> client.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9)))
            .source(oneNull).transform(keeps).run())
            .as("the source's metadata shows a null").isInstanceOf(BackfillFailedException.class)
            .cause().isInstanceOfSatisfying(InvalidRowException.class, e -> assertThat(e.column()).isEqualTo("user_id"));
        assertThatThrownBy(() -> client.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9)))
            .transform(makesANull).run())
            .as("the query computes its key").isInstanceOf(BackfillFailedException.class)
            .cause().isInstanceOfSatisfying(InvalidRowException.class, e -> assertThat(e.column()).isEqualTo("user_id"));
        assertThat(offline(client)).as("nothing changed").isEqualTo(before);
      }
      assertThat(paths.fastStore.checkedByMetadata()).as("only the first reset").isEqualTo(1);
    }
  }

  /** The rows of {@link #events} in time order, the user of the one on day 5 (row group 7 of 12) null. */
  private Path eventsWithANullUser() throws Exception {
    Path file = dir.resolve("one-null.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT CASE WHEN i = 3000 THEN NULL ELSE 'u' || (i % 50) END AS user_id, "
          + "make_timestamp((1704067200 + i * 144)::BIGINT * 1000000) AS ts, i AS n, (i % 13) / 4.0 AS amount "
          + "FROM range(6000) r(i) ORDER BY i) TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE 500)");
    }
    return file;
  }

  @Test
  void oneScanAndSliceBySliceInsertWhatTheJvmPathWrites() throws Exception {
    Transform times10 = SqlTransform.of("SELECT user_id, ts, n * 10 AS n, amount FROM source WHERE n % 7 <> 0", Duration.ZERO);
    Transform window = SqlTransform.of("SELECT user_id, ts, count(*) OVER (PARTITION BY user_id ORDER BY ts) AS n, amount "
        + "FROM source", Duration.ZERO);
    for (boolean inTimeOrder : List.of(true, false)) {
      DataSource parquet = DuckDbFileSource.parquet(events(inTimeOrder + ".parquet", inTimeOrder).toString(), "ts");
      try (BothPaths paths = new BothPaths(dir.resolve("stores-" + inTimeOrder), featureSet(parquet))) {
        for (Transform transform : List.of(Transform.identity(), times10, window)) {
          BackfillResult fast = paths.fast.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9)))
              .transform(transform).run();
          BackfillResult jvm = paths.jvm.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9)))
              .transform(transform).run();
          assertThat(List.of(fast.rowsRead(), fast.rowsWritten(), fast.rowsDroppedOutOfRange(), fast.onlineKeysWritten()))
              .as("%s, in time order %s", transform, inTimeOrder)
              .isEqualTo(List.of(jvm.rowsRead(), jvm.rowsWritten(), jvm.rowsDroppedOutOfRange(), jvm.onlineKeysWritten()));
          assertThat(fast.rowsWritten()).isPositive().isLessThan(6000);
          assertThat(offline(paths.fast)).isEqualTo(offline(paths.jvm));
          assertThat(online(paths.fast)).isEqualTo(online(paths.jvm));
        }
        assertThat(paths.fastStore.stagedInStore()).isEqualTo(3);
        assertThat(paths.fastStore.insertedInOneScan()).as("the identity and the row-wise query, in time order only")
            .isEqualTo(inTimeOrder ? 2 : 0);
        assertThat(paths.fastStore.checkedByMetadata()).as("the identity only: the query drops rows, the window is not row-wise")
            .isEqualTo(1);
      }
    }
  }

  @Test
  void aRowWiseQueryThatMovesRowsToAnotherSliceStillFailsThePointInTimeCheck() throws Exception {
    DataSource parquet = DuckDbFileSource.parquet(events("ordered.parquet", true).toString(), "ts");
    Transform shifted = SqlTransform.of("SELECT user_id, ts + INTERVAL 1 DAY AS ts, n, amount FROM source", Duration.ZERO);
    try (BothPaths paths = new BothPaths(dir, featureSet(parquet))) {
      for (BackfillClient client : paths.clients()) {
        client.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9))).run();
        List<Row> before = offline(client);
        assertThatThrownBy(() -> client.backfill("events").reset().between(DAY0, DAY0.plus(Duration.ofDays(9)))
            .transform(shifted).run())
            .isInstanceOf(BackfillFailedException.class).hasMessageContaining("point-in-time rule")
            .cause().isInstanceOfSatisfying(InvalidRowException.class, e -> assertThat(e.column()).isEqualTo("ts"));
        assertThat(offline(client)).as("nothing changed").isEqualTo(before);
      }
      assertThat(paths.fastStore.insertedInOneScan()).as("only the first reset").isEqualTo(1);
    }
  }
}
