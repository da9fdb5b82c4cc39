package dev.backfill.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.duckdb.DuckDbFileSource;
import dev.backfill.redis.RedisServer;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * The Spark runner's benchmark (issue 15 point 7), one run of each, printed side by side: a
 * flights-like reset of N rows (default 3,000,000; 50,000 tail numbers) from Parquet through the
 * runner (Iceberg on a SQLite catalog, Redis started here) against Spark's own
 * {@code writeTo(table).overwrite(...)} of the same rows into an Iceberg table of the same
 * partitioning plus a groupBy-latest written to Redis (unconditional puts through the same
 * store); then the runner on {@code local[1]} against {@code local[2]}. Run from the module:
 * {@code mvn -o -q -pl backfill-spark -am test-compile} then the class with the test class path
 * (see the README's Benchmarks section).
 */
public final class SparkBenchmark {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant STOP = Instant.parse("2025-01-01T00:00:00Z");

  private SparkBenchmark() {}

  /**
   * Without arguments or with a row count: generates the data and runs the three measurements,
   * each in a JVM of its own (Iceberg's Spark runtime shades Parquet, so Spark's own Iceberg
   * writer and the store's writer cannot share a class path), and prints them side by side.
   * {@code baseline|runner DIR ROWS [MASTER]}: one measurement, printed as {@code RESULT seconds}.
   */
  public static void main(String[] args) throws Exception {
    if (args.length >= 3) {
      Path dir = Path.of(args[1]);
      long rows = Long.parseLong(args[2]);
      Path flights = dir.resolve("flights.parquet");
      double seconds;
      try (RedisServer redis = RedisServer.start()) {
        if (args[0].equals("baseline")) {
          SparkSession spark = session("local[2]", dir);
          seconds = baseline(spark, flights, redis, dir);
          spark.stop();
        } else {
          session(args[3], dir);
          seconds = runner(flights, redis, dir.resolve("runner-" + args[3].replaceAll("\\W", "")), 1);
        }
      }
      System.out.println("RESULT " + seconds);
      System.exit(0);
    }
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000L;
    Path dir = Files.createTempDirectory("spark-benchmark");
    Path flights = dir.resolve("flights.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 'N' || (i % 50000) AS tail_number, "
          + "make_timestamp((1704067200 + (i * 31536000 // " + rows + "))::BIGINT * 1000000) AS date, "
          + "'A' || (i % 300) AS origin, 'A' || ((i * 7) % 300) AS destination, (i * 13) % 240 - 30 AS delay, "
          + "100 + (i * 17) % 3000 AS distance FROM range(0, " + rows + ") r(i)) TO '" + flights
          + "' (FORMAT parquet, ROW_GROUP_SIZE 122880)");
    }
    System.out.printf("Spark runner benchmark, %,d rows, %d cores, %s%n", rows, Runtime.getRuntime().availableProcessors(),
        Instant.now());
    double baseline = child(true, "baseline", dir, rows, "local[2]");
    double runner2 = child(false, "runner", dir, rows, "local[2]");
    double runner1 = child(false, "runner", dir, rows, "local[1]");
    System.out.printf("%-62s %8.1f s  %,10.0f rows/s%n", "baseline local[2]: writeTo(iceberg).overwrite + latest to Redis",
        baseline, rows / baseline);
    System.out.printf("%-62s %8.1f s  %,10.0f rows/s%n", "runner local[2] (engine spark)", runner2, rows / runner2);
    System.out.printf("%-62s %8.2f   (target <= 1.3)%n", "ratio runner / baseline", runner2 / baseline);
    System.out.printf("%-62s %8.1f s  %,10.0f rows/s%n", "runner local[1]", runner1, rows / runner1);
    System.out.printf("%-62s %8.2f%n", "speed-up local[2] over local[1]", runner1 / runner2);
  }

  /** Runs one measurement in a child JVM: with Iceberg's Spark runtime first, or without it. */
  private static double child(boolean withRuntime, String mode, Path dir, long rows, String master) throws Exception {
    List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
    List<String> runtime = entries.stream().filter(e -> e.contains("iceberg-spark-runtime")).toList();
    entries.removeAll(runtime);
    if (withRuntime) {
      entries.addAll(0, runtime);
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx3g"));
    command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dio.netty") || a.startsWith("-Djdk.reflect")).toList());
    command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, entries), SparkBenchmark.class.getName(), mode,
        dir.toString(), Long.toString(rows), master));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(mode + " " + master + " failed: " + output);
    }
    System.out.print(output.lines().filter(l -> !l.startsWith("RESULT")).map(l -> l + "\n").reduce("", String::concat));
    return Double.parseDouble(output.lines().filter(l -> l.startsWith("RESULT")).findFirst().orElseThrow().substring(7));
  }

  private static SparkSession session(String master, Path dir) {
    return SparkSession.builder().master(master).appName("SparkBenchmark").config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC").config("spark.sql.datetime.java8API.enabled", "true")
        .config("spark.sql.catalog.bench", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.bench.catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")
        .config("spark.sql.catalog.bench.uri", "jdbc:sqlite:" + dir.resolve("baseline-catalog.db"))
        .config("spark.sql.catalog.bench.warehouse", dir.resolve("baseline-warehouse").toString())
        .config("spark.sql.catalog.bench.jdbc.schema-version", "V1")
        .getOrCreate();
  }

  private static FeatureSet flights(Path file) {
    return FeatureSet.builder("flights").key("tail_number", FieldType.STRING).eventTime("date")
        .feature("origin", FieldType.STRING).feature("destination", FieldType.STRING)
        .feature("delay", FieldType.LONG).feature("distance", FieldType.LONG)
        .source(DuckDbFileSource.parquet(file.toString(), "date")).backfillStart(START).build();
  }

  private static double runner(Path file, RedisServer redis, Path root, int db) {
    try (BackfillClient client = BackfillClient.builder()
        .offlineStore("iceberg", Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + root.resolve("catalog.db"),
            "warehouse", root.resolve("warehouse").toString()))
        .onlineStore("redis", Map.of("uri", "redis://127.0.0.1:" + redis.port() + "/" + db))
        .engine("spark", Map.of()).build()) {
      client.register(flights(file));
      long start = System.nanoTime();
      BackfillResult result = client.backfill("flights").reset().between(START, STOP).run();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.println("runner: " + result);
      if (client.readOnline("flights", EntityKey.of("N1")).isEmpty()) {
        throw new IllegalStateException("the runner left key N1 without an online row");
      }
      return seconds;
    }
  }

  private static double baseline(SparkSession spark, Path file, RedisServer redis, Path dir) {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS bench.db");
    spark.sql("CREATE TABLE IF NOT EXISTS bench.db.flights (tail_number string, date timestamp, origin string, "
        + "destination string, delay bigint, distance bigint) USING iceberg PARTITIONED BY (days(date))");
    long start = System.nanoTime();
    Dataset<org.apache.spark.sql.Row> rows = spark.read().parquet(file.toString())
        .where(col("date").geq(java.sql.Timestamp.from(START)).and(col("date").lt(java.sql.Timestamp.from(STOP))));
    try {
      rows.writeTo("bench.db.flights").overwrite(org.apache.spark.sql.functions.lit(true));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Dataset<org.apache.spark.sql.Row> latest = spark.table("bench.db.flights")
        .withColumn("rank", row_number().over(Window.partitionBy("tail_number")
            .orderBy(col("date").desc(), col("origin").desc(), col("destination").desc(), col("delay").desc(),
                col("distance").desc())))
        .where(col("rank").equalTo(1)).drop("rank");
    String uri = "redis://127.0.0.1:" + redis.port() + "/3";
    String flightsFile = file.toString();
    latest.foreachPartition((ForeachPartitionFunction<org.apache.spark.sql.Row>) partition -> put(uri, flightsFile, partition));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.println("baseline: " + spark.table("bench.db.flights").count() + " rows in Iceberg");
    return seconds;
  }

  /** Unconditional puts of the latest rows through the Redis store, in batches of 1,000. */
  private static void put(String uri, String file, Iterator<org.apache.spark.sql.Row> partition) throws Exception {
    FeatureSet flights = flights(Path.of(file));
    dev.backfill.api.Schema schema = flights.schema();
    try (OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", uri))) {
      store.createTable(flights.table());
      List<OnlineWrite> batch = new ArrayList<>();
      while (partition.hasNext()) {
        org.apache.spark.sql.Row r = partition.next();
        Row row = Row.of(schema, r.getString(0), SparkTypes.value(r.get(1)), r.getString(2), r.getString(3),
            r.getLong(4), r.getLong(5));
        batch.add(OnlineWrite.put(EntityKey.of(r.getString(0)), row));
        if (batch.size() == 1000) {
          store.write("flights", batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        store.write("flights", batch);
      }
    }
  }
}
