package dev.backfill.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.DuckDbFileSource;
import dev.backfill.redis.RedisServer;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Plugins;
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
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark engine with a real Redis online store (a redis-server of its own) and the Iceberg
 * store on SQLite: both stores updated, a cancel before the commit gate and a conflicting
 * submission, and the csv, jdbc (PostgreSQL) and iceberg sources read by Spark giving what the
 * in-process engine gives.
 */
class SparkRunnerStoresTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final String EVENTS = "SELECT 'u' || (i % 40) AS user_id, "
      + "make_timestamp((1704067200 + i * 37 * 60)::BIGINT * 1000000) AS ts, i AS n, (i % 13) / 4.0 AS amount "
      + "FROM range(0, 389) r(i)";
  /** A transform slow enough to cancel: every row against five million others. */
  private static final String SLOW = "SELECT s.user_id, s.ts, s.n, s.amount FROM source s CROSS JOIN range(5000000) r "
      + "WHERE r.id = s.n - 1000000000";
  private static SparkSession spark;
  private static RedisServer redis;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("SparkRunnerStoresTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
    redis.close();
  }

  private static Instant day(int n) {
    return DAY0.plus(Duration.ofDays(n));
  }

  private static FeatureSet featureSet(DataSource source) {
    return FeatureSet.builder("events").key("user_id", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).feature("amount", FieldType.DOUBLE)
        .source(source).backfillStart(DAY0).build();
  }

  private BackfillClient client(String name, boolean onSpark, int redisDb) {
    Path root = dir.resolve(name);
    BackfillClient.Builder builder = BackfillClient.builder()
        .offlineStore("iceberg", Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + root.resolve("catalog.db"),
            "warehouse", root.resolve("warehouse").toString()))
        .onlineStore("redis", Map.of("uri", "redis://127.0.0.1:" + redis.port() + "/" + redisDb));
    if (onSpark) {
      builder.engine("spark", Map.of("master", "local[2]"));
    }
    return builder.build();
  }

  private Path parquet() throws Exception {
    Path file = dir.resolve("events.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (" + EVENTS + ") TO '" + file + "' (FORMAT parquet)");
    }
    return file;
  }

  private static List<Row> offline(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline("events", TimeRange.all())) {
      return rows.sorted(Comparator.comparing(Row::toString)).toList();
    }
  }

  private static List<Optional<Row>> online(BackfillClient client) {
    return IntStream.range(0, 40).mapToObj(u -> client.readOnline("events", EntityKey.of("u" + u))).toList();
  }

  /** Runs a reset from the source on both engines (each on its own stores) and compares all. */
  private void assertSameAsInProcess(DataSource source, int db) {
    try (BackfillClient onSpark = client("spark-" + db, true, db); BackfillClient inProcess = client("process-" + db, false, db + 1)) {
      BackfillResult[] results = new BackfillResult[2];
      int i = 0;
      for (BackfillClient client : List.of(onSpark, inProcess)) {
        client.register(featureSet(source));
        results[i++] = client.backfill("events").reset().between(DAY0, day(8)).run();
      }
      assertThat(offline(onSpark)).isNotEmpty().isEqualTo(offline(inProcess));
      assertThat(online(onSpark)).isEqualTo(online(inProcess)).allMatch(Optional::isPresent);
      assertThat(results[0].rowsWritten()).isEqualTo(results[1].rowsWritten());
      assertThat(results[0].onlineKeysWritten()).isEqualTo(results[1].onlineKeysWritten()).isPositive();
    }
  }

  @Test
  void aResetThenAnIntervalUpdateIcebergAndRedisAsTheInProcessEngineDoes() throws Exception {
    DataSource source = DuckDbFileSource.parquet(parquet().toString(), "ts");
    assertSameAsInProcess(source, 0);
    // An interval from another source that has rows for half of the users only: the others'
    // online rows fall back to their latest row before the interval, on both engines.
    Path fewer = dir.resolve("fewer.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT user_id, ts, n * 10 AS n, amount FROM (" + EVENTS + ") WHERE n % 40 < 20) TO '" + fewer
          + "' (FORMAT parquet)");
    }
    DataSource other = DuckDbFileSource.parquet(fewer.toString(), "ts");
    try (BackfillClient onSpark = client("spark-0", true, 0); BackfillClient inProcess = client("process-0", false, 1)) {
      onSpark.register(featureSet(source));
      inProcess.register(featureSet(source));
      BackfillResult spark = onSpark.backfill("events").between(day(6), day(8)).source(other).run();
      BackfillResult process = inProcess.backfill("events").between(day(6), day(8)).source(other).run();
      assertThat(offline(onSpark)).isEqualTo(offline(inProcess));
      assertThat(online(onSpark)).isEqualTo(online(inProcess)).allMatch(Optional::isPresent);
      assertThat(online(onSpark).get(3).orElseThrow().getLong("n") % 10).as("u3's latest row is from the interval").isZero();
      assertThat(spark.onlineKeysWritten()).isEqualTo(process.onlineKeysWritten()).isEqualTo(40);
      assertThat(spark.offlineRowsDeleted()).isEqualTo(process.offlineRowsDeleted()).isPositive();
    }
  }

  @Test
  void aCsvSourceIsReadBySparkAsInProcess() throws Exception {
    Path file = dir.resolve("events.csv");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (" + EVENTS + ") TO '" + file + "' (FORMAT csv, HEADER)");
    }
    assertSameAsInProcess(DuckDbFileSource.csv(file, "ts"), 2);
  }

  @Test
  void aJdbcSourceIsReadBySparkAsInProcess() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    String table = "spark_runner_events_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("CREATE TABLE " + table + " AS SELECT 'u' || (i % 40) AS user_id, "
          + "TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL '37 minutes' AS ts, i::bigint AS n, "
          + "((i % 13) / 4.0)::double precision AS amount FROM generate_series(0, 388) i");
    }
    try {
      DataSource jdbc = Plugins.dataSource("jdbc", Map.of("url", url, "query", "SELECT * FROM " + table, "time-column", "ts"));
      assertSameAsInProcess(jdbc, 4);
    } finally {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  @Test
  void anIcebergSourceTableIsReadBySparkAsInProcess() {
    // The source table is written by the Iceberg store itself, in a catalog of its own, in
    // three appends: several snapshots and files, read at the latest one.
    Map<String, String> catalog = Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("source/catalog.db"),
        "warehouse", dir.resolve("source/warehouse").toString(), "namespace", "raw");
    dev.backfill.api.Schema schema = dev.backfill.api.Schema.of(new dev.backfill.api.Field("user_id", FieldType.STRING),
        new dev.backfill.api.Field("ts", FieldType.TIMESTAMP), new dev.backfill.api.Field("n", FieldType.LONG),
        new dev.backfill.api.Field("amount", FieldType.DOUBLE));
    try (dev.backfill.spi.OfflineStore store = Plugins.offlineStore("iceberg", catalog)) {
      store.createTable(new dev.backfill.spi.TableSpec("events_raw", schema, List.of("user_id"), "ts"));
      for (int part = 0; part < 3; part++) {
        int first = part;
        store.append("events_raw", IntStream.range(0, 389).filter(i -> i % 3 == first).mapToObj(i -> Row.of(schema,
            "u" + (i % 40), Instant.ofEpochSecond(1704067200L + i * 37L * 60), (long) i, (i % 13) / 4.0)).toList());
      }
    }
    Map<String, String> options = new java.util.HashMap<>(catalog);
    options.put("table", "events_raw");
    options.put("time-column", "ts");
    DataSource iceberg = Plugins.dataSource("iceberg", options);
    assertSameAsInProcess(iceberg, 8);
    try (BackfillClient onSpark = client("spark-8", true, 8)) {
      onSpark.register(featureSet(iceberg));
      // One row every 37 minutes: rows 0 to 311 fall in the eight days.
      assertThat(offline(onSpark)).hasSize(312);
    }
  }

  @Test
  void bothStoresServeTheirOldRowsWhileSparkRunsAndACancelBeforeTheGateAndAConflictChangeNothing() throws Exception {
    DataSource source = DuckDbFileSource.parquet(parquet().toString(), "ts");
    try (BackfillClient client = client("cancel", true, 6)) {
      client.register(featureSet(source));
      client.backfill("events").reset().between(DAY0, day(8)).run();
      List<Row> offlineBefore = offline(client);
      List<Optional<Row>> onlineBefore = online(client);

      Transform slow = Plugins.transform("spark-sql", Map.of("query", SLOW));
      BackfillJob job = client.backfill("events").between(day(2), day(4)).transform(slow).submit();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (spark.sparkContext().statusTracker().getJobIdsForGroup(job.id()).length == 0) {
        assertThat(System.nanoTime()).as("the job's Spark job started").isLessThan(deadline);
        Thread.sleep(50);
      }
      // While Spark's executors stage the interval, everything stays readable, at its old values.
      assertThat(offline(client)).as("offline rows while the job runs").isEqualTo(offlineBefore);
      assertThat(online(client)).as("online rows while the job runs").isEqualTo(onlineBefore);
      assertThat(job.status()).as("still running after the reads").isEqualTo(BackfillStatus.RUNNING);
      assertThatThrownBy(() -> client.backfill("events").between(day(3), day(5)).submit())
          .isInstanceOf(BackfillConflictException.class).hasMessageContaining(job.id());

      assertThat(job.cancel()).isTrue();
      assertThatThrownBy(job::await).isInstanceOf(BackfillCancelledException.class);
      assertThat(job.status()).isEqualTo(BackfillStatus.CANCELLED);
      assertThat(offline(client)).isEqualTo(offlineBefore);
      assertThat(online(client)).isEqualTo(onlineBefore);
      Path staged = dir.resolve("cancel/warehouse/backfill/events/data/" + job.id());
      assertThat(Files.exists(staged) ? countFiles(staged) : 0).as("data files left by the cancelled job").isZero();
    }
  }

  private static long countFiles(Path folder) throws Exception {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
