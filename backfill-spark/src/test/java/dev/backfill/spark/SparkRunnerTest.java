package dev.backfill.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.DuckDbFileSource;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryDataSource;
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
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark engine on {@code local[2]} into Iceberg (JDBC catalog in SQLite): reset, interval,
 * another source and transform, bad rows and unsupported parts, each against the in-process
 * engine on the same rows. One Spark session for the class; the clients use it and leave it open.
 */
class SparkRunnerTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[2]").appName("SparkRunnerTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Instant day(int n) {
    return DAY0.plus(Duration.ofDays(n));
  }

  /** 40 users, a row every 37 minutes for ten days; with a null key at row 100 when asked. */
  private Path events(String name, boolean withNullKey, int factor) throws Exception {
    Path file = dir.resolve(name);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT " + (withNullKey ? "CASE WHEN i = 100 THEN NULL ELSE 'u' || (i % 40) END" : "'u' || (i % 40)")
          + " AS user_id, make_timestamp((1704067200 + i * 37 * 60)::BIGINT * 1000000) AS ts, i * " + factor + " AS n, "
          + "(i % 13) / 4.0 AS amount FROM range(0, 389) r(i)) TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE 64)");
    }
    return file;
  }

  private static FeatureSet featureSet(DataSource source) {
    return FeatureSet.builder("events").key("user_id", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).feature("amount", FieldType.DOUBLE)
        .source(source).backfillStart(DAY0).build();
  }

  private BackfillClient client(String name, boolean onSpark) {
    Path root = dir.resolve(name);
    BackfillClient.Builder builder = BackfillClient.builder()
        .offlineStore("iceberg", Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + root.resolve("catalog.db"),
            "warehouse", root.resolve("warehouse").toString()))
        .onlineStore("memory", Map.of());
    if (onSpark) {
      builder.engine("spark", Map.of("master", "local[2]"));
    }
    return builder.build();
  }

  private record Outcome(BackfillResult result, List<Row> offline, List<Optional<Row>> online) {}

  private static Outcome run(BackfillClient client, UnaryOperator<BackfillRequest> request) {
    BackfillResult result = request.apply(client.backfill("events")).run();
    return new Outcome(result, offline(client), online(client));
  }

  private static List<Row> offline(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline("events", TimeRange.all())) {
      return rows.sorted(Comparator.comparing(Row::toString)).toList();
    }
  }

  private static List<Optional<Row>> online(BackfillClient client) {
    return IntStream.range(0, 40).mapToObj(u -> client.readOnline("events", EntityKey.of("u" + u))).toList();
  }

  private static void assertSameOutcome(Outcome spark, Outcome inProcess) {
    assertThat(spark.offline()).isEqualTo(inProcess.offline());
    assertThat(spark.online()).isEqualTo(inProcess.online());
    BackfillResult s = spark.result();
    BackfillResult p = inProcess.result();
    assertThat(List.of(s.rowsRead(), s.rowsWritten(), s.rowsDroppedOutOfRange(), s.offlineRowsDeleted(),
        s.onlineKeysWritten(), s.onlineKeysDeleted()))
        .isEqualTo(List.of(p.rowsRead(), p.rowsWritten(), p.rowsDroppedOutOfRange(), p.offlineRowsDeleted(),
            p.onlineKeysWritten(), p.onlineKeysDeleted()));
  }

  @Test
  void resetThenIntervalGiveTheInProcessEnginesRowsAndLeaveOutsideDataUntouched() throws Exception {
    DataSource first = DuckDbFileSource.parquet(events("v1.parquet", false, 1).toString(), "ts");
    DataSource second = DuckDbFileSource.parquet(events("v2.parquet", false, 7).toString(), "ts");
    try (BackfillClient onSpark = client("spark", true); BackfillClient inProcess = client("in-process", false)) {
      for (BackfillClient client : List.of(onSpark, inProcess)) {
        client.register(featureSet(first));
      }
      UnaryOperator<BackfillRequest> reset = r -> r.reset().between(DAY0, day(9));
      Outcome sparkReset = run(onSpark, reset);
      Outcome processReset = run(inProcess, reset);
      assertSameOutcome(sparkReset, processReset);
      assertThat(sparkReset.result().rowsWritten()).isPositive();
      assertThat(sparkReset.result().rowsDroppedOutOfRange()).as("rows of day 9 and later are read, not written")
          .isZero();

      // Another source for one backfill, inside days 3 to 5 only.
      UnaryOperator<BackfillRequest> interval = r -> r.between(day(3), day(5)).source(second);
      Outcome sparkInterval = run(onSpark, interval);
      Outcome processInterval = run(inProcess, interval);
      assertSameOutcome(sparkInterval, processInterval);
      List<Row> outside = sparkInterval.offline().stream().filter(r -> !TimeRange.of(day(3), day(5)).contains(r.getInstant("ts"))).toList();
      List<Row> outsideBefore = sparkReset.offline().stream().filter(r -> !TimeRange.of(day(3), day(5)).contains(r.getInstant("ts"))).toList();
      assertThat(outside).as("rows outside the interval").isEqualTo(outsideBefore);
      assertThat(sparkInterval.offline().stream().filter(r -> TimeRange.of(day(3), day(5)).contains(r.getInstant("ts"))))
          .allSatisfy(r -> assertThat(r.getLong("n") % 7).isZero());
    }
  }

  @Test
  void aSparkSqlTransformGivesWhatTheSameQueryGivesInProcess() throws Exception {
    DataSource source = DuckDbFileSource.parquet(events("v1.parquet", false, 1).toString(), "ts");
    String query = "SELECT user_id, ts, n * 3 AS n, amount + 1 AS amount FROM source WHERE n % 5 <> 0";
    try (BackfillClient onSpark = client("spark", true); BackfillClient inProcess = client("in-process", false)) {
      for (BackfillClient client : List.of(onSpark, inProcess)) {
        client.register(featureSet(source));
      }
      Transform sparkSql = Plugins.transform("spark-sql", Map.of("query", query));
      Transform duckDbSql = Plugins.transform("sql", Map.of("query", query));
      Outcome spark = run(onSpark, r -> r.reset().between(DAY0, day(10)).transform(sparkSql));
      Outcome process = run(inProcess, r -> r.reset().between(DAY0, day(10)).transform(duckDbSql));
      assertSameOutcome(spark, process);
      assertThat(spark.offline()).isNotEmpty().allSatisfy(r -> assertThat(r.getLong("n") % 15).isNotZero());
    }
  }

  @Test
  void aBadRowFailsTheJobWithTheInProcessEnginesMessageAndChangesNothing() throws Exception {
    DataSource good = DuckDbFileSource.parquet(events("good.parquet", false, 1).toString(), "ts");
    DataSource bad = DuckDbFileSource.parquet(events("bad.parquet", true, 1).toString(), "ts");
    try (BackfillClient onSpark = client("spark", true); BackfillClient inProcess = client("in-process", false)) {
      String[] messages = new String[2];
      int i = 0;
      for (BackfillClient client : List.of(onSpark, inProcess)) {
        client.register(featureSet(good));
        client.backfill("events").reset().between(DAY0, day(10)).run();
        List<Row> before = offline(client);
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
            () -> client.backfill("events").reset().between(DAY0, day(10)).source(bad).run());
        assertThat(failure).isInstanceOf(BackfillFailedException.class).cause().isInstanceOf(InvalidRowException.class);
        messages[i] = failure.getCause().getMessage();
        assertThat(offline(client)).as("offline rows after the failed job").isEqualTo(before);
        i++;
      }
      assertThat(messages[0]).contains("feature set 'events'", "user_id").isEqualTo(messages[1]);
      try (Stream<Path> files = Files.walk(dir.resolve("spark/warehouse"))) {
        long staged = files.filter(p -> p.toString().endsWith(".parquet")).count();
        try (Stream<Path> committed = Files.walk(dir.resolve("in-process/warehouse"))) {
          assertThat(staged).as("data files left by the failed spark jobs beyond the in-process store's")
              .isEqualTo(committed.filter(p -> p.toString().endsWith(".parquet")).count());
        }
      }
    }
  }

  @Test
  void partsTheSparkEngineCannotRunAreRefusedAtSubmission() throws Exception {
    DataSource parquet = DuckDbFileSource.parquet(events("v1.parquet", false, 1).toString(), "ts");
    DataSource javaSource = InMemoryDataSource.of(featureSet(parquet).schema(), "ts", List.of());
    try (BackfillClient onSpark = client("spark", true)) {
      onSpark.register(featureSet(parquet));
      assertThatThrownBy(() -> onSpark.backfill("events").reset().between(DAY0, day(1)).source(javaSource).submit())
          .isInstanceOf(InvalidBackfillRequestException.class)
          .hasMessageContaining("the spark engine cannot read the source").hasMessageContaining("[csv, iceberg, jdbc, parquet]");
      Transform map = Transform.map(featureSet(parquet).schema(), r -> r);
      assertThatThrownBy(() -> onSpark.backfill("events").reset().between(DAY0, day(1)).transform(map).submit())
          .isInstanceOf(InvalidBackfillRequestException.class)
          .hasMessageContaining("it runs the identity and spark-sql transforms");
      assertThat(onSpark.jobs("events")).as("nothing was submitted").isEmpty();
    }
  }
}
