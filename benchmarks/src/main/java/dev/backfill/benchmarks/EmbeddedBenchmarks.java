package dev.backfill.benchmarks;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.spi.Plugins;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * End-to-end benchmarks of the embedded default (DuckDB offline, RocksDB online), each figure
 * printed beside its baseline from the same run. Usage: {@code EmbeddedBenchmarks <which>
 * [rows] [keys]} with which one of:
 * <ul>
 *   <li>{@code raw}: a generated reset backfill through the engine against raw DuckDB Appender
 *       (one transaction) plus the latest row per key written with raw RocksDB WriteBatches;
 *       run it with {@code -Xmx256m} and 20,000,000 rows, 1,000,000 keys for the memory check;</li>
 *   <li>{@code fastpath}: a reset from a Parquet file through the fast path and through the JVM,
 *       against DuckDB {@code CREATE TABLE AS SELECT} plus the latest row per key, on generated
 *       events of {@code keys} users;</li>
 *   <li>{@code flights}: the same on a file in the shape of the examples' flights feed, keyed by
 *       {@code keys} airports (350 when not given);</li>
 *   <li>{@code interval}: a one-day interval backfill on a 60-day feature set against the same
 *       on a one-day feature set;</li>
 *   <li>{@code keys}: an interval backfill touching 10,000 keys on a feature set of many keys
 *       against the same on one of few keys (rows = keys), with the time of one lookup of 2,048
 *       keys in each;</li>
 *   <li>{@code memory}: the JVM path and the raw baseline each in a child JVM of its own (the
 *       given {@code -Xmx}, DuckDB's {@code memory-limit} and {@code threads}), each reporting its
 *       peak heap and peak RSS.</li>
 * </ul>
 * The baselines compute the latest row per key as the engine does, by a grouped maximum joined
 * back (every tie kept), which is DuckDB's fastest plain SQL for it; the window
 * {@code QUALIFY rank() ...} took 6 times longer on 3,000,000 rows.
 */
public final class EmbeddedBenchmarks {
  static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  private EmbeddedBenchmarks() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    String which = args.length > 0 ? args[0] : "raw";
    if (which.equals("memory-child")) {
      MemoryBenchmark.child(args);
      return;
    }
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 5_000_000;
    long keys = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
    System.out.printf("machine: %d cores, max heap %d MiB, %s%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
    switch (which) {
      case "raw" -> engineVsRaw(rows, keys);
      case "fastpath" -> fastPath(events(rows, keys));
      case "flights" -> fastPath(flights(rows, args.length > 2 ? keys : 350));
      case "interval" -> intervalCost(rows, keys);
      case "keys" -> keysCost(rows, keys, args.length > 3 ? Long.parseLong(args[3]) : 10_000);
      case "memory" -> MemoryBenchmark.run(rows, keys, args.length > 3 ? args[3] : "128m", args.length > 4 ? args[4] : "1GB",
          args.length > 5 ? args[5] : "2");
      default -> throw new IllegalArgumentException("which: raw, fastpath, flights, interval, keys or memory, not " + which);
    }
  }

  /** Elapsed nanoseconds of a run, with its peak heap. */
  record Timed<T>(T value, long nanos, HeapMeter.Figures heap) {
    double seconds() {
      return nanos / 1e9;
    }
  }

  static <T> Timed<T> time(Supplier<T> run) {
    HeapMeter meter = new HeapMeter();
    meter.start();
    long start = System.nanoTime();
    T value = run.get();
    long nanos = System.nanoTime() - start;
    return new Timed<>(value, nanos, meter.stop());
  }

  static Path freshDir(String name) throws IOException {
    return Files.createTempDirectory("backfill-bench-" + name + "-");
  }

  /** Peak resident set size of this process (VmHWM), in MiB. */
  static long peakRssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  static BackfillClient client(Path dir, boolean fastPath) {
    return client(dir, Map.of("fast-path", Boolean.toString(fastPath)));
  }

  static BackfillClient client(Path dir, Map<String, String> storeOptions) {
    Map<String, String> options = new java.util.HashMap<>(storeOptions);
    options.put("path", dir.resolve("offline.duckdb").toString());
    return BackfillClient.builder()
        .offlineStore("duckdb", options)
        .onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString()))
        .build();
  }

  /** DuckDB's latest rows per key of {@code table}, as the engine computes them: a grouped max joined back. */
  static String latestPerKey(String table, String key, String time) {
    return "SELECT t.* FROM " + table + " t JOIN (SELECT " + key + ", max(" + time + ") AS m FROM " + table + " GROUP BY "
        + key + ") g ON t." + key + " = g." + key + " AND t." + time + " = g.m";
  }

  // ---- engine against raw Appender + WriteBatch ----

  static void engineVsRaw(long rows, long keys) throws Exception {
    GeneratedSource source = GeneratedSource.of(rows, keys, START, Duration.ofDays(50));
    System.out.printf("engine vs raw DuckDB Appender + RocksDB WriteBatch: %,d rows, %,d keys, reset of %s%n", rows, keys, source.range());
    Timed<BackfillResult> engine = time(() -> {
      try (BackfillClient client = client(uncheckedDir("engine"), false)) {
        client.register(featureSet(source));
        return client.backfill(GeneratedSource.FEATURE_SET).reset().between(source.range().start(), source.range().stop()).run();
      }
    });
    long engineRss = peakRssMiB();
    Timed<Long> raw = time(() -> rawWrites(source, uncheckedDir("raw")));
    print("engine (SMALL, DuckDB + RocksDB)", rows, engine);
    System.out.printf("   %,d rows written, %,d online keys; peak RSS so far %,d MiB%n", engine.value().rowsWritten(),
        engine.value().onlineKeysWritten(), engineRss);
    print("raw Appender + WriteBatch (one thread)", rows, raw);
    System.out.printf("   %,d online keys; peak RSS of the process %,d MiB%n", raw.value(), peakRssMiB());
    System.out.printf("ratio engine time / raw time: %.2f%n", engine.seconds() / raw.seconds());
  }

  static FeatureSet featureSet(GeneratedSource source) {
    return GeneratedSource.featureSet(START).toBuilder().source(source).build();
  }

  private static Path uncheckedDir(String name) {
    try {
      return freshDir(name);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void print(String what, long rows, Timed<?> t) {
    System.out.printf("%-40s %8.2f s  %,12.0f rows/s  peak heap %,6d MiB (pools %,d MiB), GC %,d ms%n", what, t.seconds(),
        rows / t.seconds(), t.heap().sampledPeakMiB(), t.heap().poolPeakSumMiB(), t.heap().gcMillis());
  }

  /** The same rows, appended in one DuckDB transaction; the latest row per key put to RocksDB. */
  static long rawWrites(GeneratedSource source, Path dir) {
    return rawWrites(source, dir, new java.util.Properties());
  }

  /** As {@link #rawWrites(GeneratedSource, Path)}, DuckDB opened with the given settings. */
  static long rawWrites(GeneratedSource source, Path dir, java.util.Properties duckdbSettings) {
    try (DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("raw.duckdb"),
        duckdbSettings);
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, clicks BIGINT, spend DOUBLE, score DOUBLE)");
      c.setAutoCommit(false);
      try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t");
           Stream<Row> rows = source.read(source.range())) {
        Iterator<Row> it = rows.iterator();
        while (it.hasNext()) {
          Row r = it.next();
          a.beginRow();
          a.append(r.getLong("user_id"));
          a.appendEpochMicros(DuckDbTypes.epochMicros(r.getInstant("ts")));
          a.append(r.getLong("clicks"));
          a.append(r.getDouble("spend"));
          a.append(r.getDouble("score"));
          a.endRow();
        }
      }
      c.commit();
      long written = 0;
      RocksDB.loadLibrary();
      try (Options options = new Options().setCreateIfMissing(true);
           RocksDB db = RocksDB.open(options, dir.resolve("raw-online").toString());
           WriteOptions writeOptions = new WriteOptions();
           ResultSet rs = s.executeQuery("SELECT user_id, epoch_us(ts), clicks, spend, score FROM ("
               + latestPerKey("t", "user_id", "ts") + ")")) {
        WriteBatch batch = new WriteBatch();
        while (rs.next()) {
          ByteBuffer value = ByteBuffer.allocate(32).putLong(rs.getLong(2)).putLong(rs.getLong(3)).putDouble(rs.getDouble(4))
              .putDouble(rs.getDouble(5));
          batch.put(ByteBuffer.allocate(8).putLong(rs.getLong(1)).array(), value.array());
          if (++written % 10_000 == 0) {
            db.write(writeOptions, batch);
            batch.close();
            batch = new WriteBatch();
          }
        }
        db.write(writeOptions, batch);
        batch.close();
      }
      c.commit();
      return written;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- fast path against DuckDB CTAS ----

  /**
   * A reset from a Parquet file through the engine and through plain DuckDB: the file, the
   * feature set the engine registers, and the key and time columns the baseline's latest rows
   * are computed by.
   */
  record ParquetReset(String title, Path parquet, FeatureSet featureSet, String key, String time, TimeRange range) {}

  /** {@code rows} generated events of {@code keys} users (a LONG key) over 30 days. */
  static ParquetReset events(long rows, long keys) throws Exception {
    Path parquet = writeEvents(freshDir("fastpath"), rows, keys);
    FeatureSet events = FeatureSet.builder("events").key("user_id", dev.backfill.api.FieldType.LONG).eventTime("ts")
        .feature("clicks", dev.backfill.api.FieldType.LONG).feature("spend", dev.backfill.api.FieldType.DOUBLE)
        .source(Plugins.dataSource("parquet", Map.of("path", parquet.toString(), "time-column", "ts")))
        .transform(Plugins.transform("sql", Map.of("query", "SELECT user_id, ts, clicks, spend FROM source")))
        .backfillStart(START).build();
    return new ParquetReset(String.format("%,d-row Parquet file of events, %,d keys", rows, keys), parquet, events, "user_id", "ts",
        TimeRange.of(START, START.plus(Duration.ofDays(31))));
  }

  /**
   * {@code rows} departures of {@code airports} airports over a year in the shape of the
   * examples' {@code flights.parquet} (a STRING key, the examples' {@code airport_delays} feature
   * set and query), written in time order as a feed is.
   */
  static ParquetReset flights(long rows, long airports) throws Exception {
    Path parquet = freshDir("flights").resolve("flights.parquet");
    String code = "'A' || lpad(CAST(%s AS VARCHAR), 4, '0')";
    try (var c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT " + code.formatted("i % " + airports) + " AS origin, "
          + code.formatted("(i * 7 + 3) % " + airports) + " AS destination, "
          + "make_timestamp((1704067200 + (i * 365 * 86400) // " + rows + ")::BIGINT * 1000000) AS date, "
          + "CAST((i * 31) % 180 - 20 AS BIGINT) AS delay, CAST(300 + (i * 13) % 2500 AS BIGINT) AS distance "
          + "FROM range(" + rows + ") r(i)) TO '" + parquet + "' (FORMAT parquet)");
    }
    FeatureSet delays = FeatureSet.builder("airport_delays").key("origin", dev.backfill.api.FieldType.STRING).eventTime("date")
        .feature("delay", dev.backfill.api.FieldType.LONG).feature("distance", dev.backfill.api.FieldType.LONG)
        .feature("destination", dev.backfill.api.FieldType.STRING)
        .source(Plugins.dataSource("parquet", Map.of("path", parquet.toString(), "time-column", "date")))
        .transform(Plugins.transform("sql", Map.of("query", "SELECT origin, date, delay, distance, destination FROM source")))
        .backfillStart(START).build();
    return new ParquetReset(String.format("%,d-row flights Parquet file, %,d airports", rows, airports), parquet, delays,
        "origin", "date", TimeRange.of(START, START.plus(Duration.ofDays(366))));
  }

  static void fastPath(ParquetReset reset) throws Exception {
    System.out.printf("fast path vs DuckDB CREATE TABLE AS SELECT + latest per key: %s%n", reset.title());
    List<Double> baseline = new ArrayList<>();
    List<Double> fast = new ArrayList<>();
    List<Double> jvm = new ArrayList<>();
    for (int run = 0; run < 4; run++) {
      Path base = freshDir("ctas");
      // Alternated: which goes first changes every round, so that neither always finds the
      // file cache and the JIT in the state the other left.
      if (run % 2 == 0) {
        baseline.add(time(() -> ctas(reset, base)).seconds());
        fast.add(time(() -> resetFromParquet(reset, uncheckedDir("fast"), true)).seconds());
      } else {
        fast.add(time(() -> resetFromParquet(reset, uncheckedDir("fast"), true)).seconds());
        baseline.add(time(() -> ctas(reset, base)).seconds());
      }
      System.out.printf("round %d: CTAS + latest %.3f s, fast path %.3f s, ratio %.2f%s%n", run, baseline.get(run), fast.get(run),
          fast.get(run) / baseline.get(run), run == 0 ? " (warm-up)" : "");
      if (run < 2) {
        jvm.add(time(() -> resetFromParquet(reset, uncheckedDir("jvm"), false)).seconds());
      }
    }
    // The first round warms up the JIT and the file cache.
    double b = median(baseline.subList(1, baseline.size()));
    double f = median(fast.subList(1, fast.size()));
    double j = jvm.get(1);
    System.out.printf("%-55s %6.3f s%n", "DuckDB CTAS + latest per key (median of 3)", b);
    System.out.printf("%-55s %6.3f s   ratio %.2f (target <= 1.2)%n", "engine reset, fast path, DuckDB + RocksDB (median of 3)", f,
        f / b);
    System.out.printf("%-55s %6.3f s   ratio %.2f%n", "engine reset, rows through the JVM (1 run)", j, j / b);
  }

  /** {@code rows} events of {@code keys} users spread over the 30 days from {@link #START}, as events.parquet in {@code dir}. */
  static Path writeEvents(Path dir, long rows, long keys) throws SQLException {
    Path parquet = dir.resolve("events.parquet");
    try (var c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT i % " + keys + " AS user_id, make_timestamp((1704067200 + (i * 30 * 86400) // " + rows
          + ")::BIGINT * 1000000) AS ts, i % 97 AS clicks, (i % 1000) * 0.25 AS spend FROM range(" + rows + ") r(i)) TO '"
          + parquet + "' (FORMAT parquet)");
    }
    return parquet;
  }

  /** The baseline: the file copied into table {@code t} of ctas.duckdb in {@code dir}, its latest rows into {@code latest}. */
  static long ctas(ParquetReset reset, Path dir) {
    try (var c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("ctas.duckdb")); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t AS SELECT * FROM read_parquet('" + reset.parquet() + "')");
      s.execute("CREATE TABLE latest AS " + latestPerKey("t", reset.key(), reset.time()));
      return 0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The engine's reset of the feature set from the file, through the fast path or the JVM. */
  static BackfillResult resetFromParquet(ParquetReset reset, Path dir, boolean fastPath) {
    try (BackfillClient client = client(dir, fastPath)) {
      client.register(reset.featureSet());
      return client.backfill(reset.featureSet().name()).reset().between(reset.range().start(), reset.range().stop()).run();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    return sorted.get(sorted.size() / 2);
  }

  // ---- interval cost ----

  static void intervalCost(long rowsPerDay, long keys) throws Exception {
    System.out.printf("one-day interval backfill: 60-day vs 1-day feature set, %,d rows a day, %,d keys%n", rowsPerDay, keys);
    List<Double> long60 = new ArrayList<>();
    List<Double> short1 = new ArrayList<>();
    try (LastDay sixtyDays = new LastDay(60, rowsPerDay, keys); LastDay oneDay = new LastDay(1, rowsPerDay, keys)) {
      // Alternated, each first in turn, so that both find the JIT and the caches in the same
      // state: run one after the other, the first feature set measured took the JIT's warm-up
      // (the 60-day one, 1.2 to 1.3 times the other on an idle machine; alternated, 1.0).
      for (int run = 0; run < WARM_UP_ROUNDS + 5; run++) {
        if (run % 2 == 0) {
          long60.add(sixtyDays.backfill());
          short1.add(oneDay.backfill());
        } else {
          short1.add(oneDay.backfill());
          long60.add(sixtyDays.backfill());
        }
      }
    }
    double a = median(long60.subList(WARM_UP_ROUNDS, long60.size()));
    double b = median(short1.subList(WARM_UP_ROUNDS, short1.size()));
    System.out.printf("%-50s %6.3f s%n", "last day of a 1-day feature set (median of 5)", b);
    System.out.printf("%-50s %6.3f s   ratio %.2f (target <= 1.1)%n", "last day of a 60-day feature set (median of 5)", a, a / b);
  }

  /** Rounds of {@link #intervalCost} before the measured ones. */
  private static final int WARM_UP_ROUNDS = 3;

  /** A feature set of {@code days} days reset once, whose last day is then backfilled again and again. */
  private static final class LastDay implements AutoCloseable {
    private final BackfillClient client;
    private final Instant end;

    LastDay(int days, long rowsPerDay, long keys) throws IOException {
      end = START.plus(Duration.ofDays(days));
      GeneratedSource source = GeneratedSource.of(rowsPerDay * days, keys, START, Duration.ofDays(days));
      client = client(freshDir("interval" + days), false);
      client.register(featureSet(source));
      client.backfill(GeneratedSource.FEATURE_SET).reset().between(START, end).run();
    }

    /** Seconds of one backfill of the last day. */
    double backfill() {
      return time(() -> client.backfill(GeneratedSource.FEATURE_SET).between(end.minus(Duration.ofDays(1)), end).run()).seconds();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  // ---- online reconciliation follows the changed keys ----

  /**
   * An interval touching {@code touched} keys on a feature set of {@code manyKeys} keys against
   * the same on one of {@code fewKeys} keys; each feature set has one row per key, spread over one
   * day, so the interval is the span of {@code touched} consecutive rows.
   */
  static void keysCost(long manyKeys, long fewKeys, long touched) throws Exception {
    System.out.printf("interval touching %,d keys: feature set of %,d keys vs %,d keys (one row per key over a day)%n", touched,
        manyKeys, fewKeys);
    double[] many = touchedKeysBackfill(manyKeys, touched);
    double[] few = touchedKeysBackfill(fewKeys, touched);
    System.out.printf("%-58s %6.3f s   lookup of 2,048 keys %6.1f ms%n", String.format("%,d keys (median of 5)", fewKeys), few[0],
        few[1]);
    System.out.printf("%-58s %6.3f s   lookup of 2,048 keys %6.1f ms%n", String.format("%,d keys (median of 5)", manyKeys), many[0],
        many[1]);
    System.out.printf("ratio %,d / %,d keys: backfill %.2f (target <= 1.3), lookup %.2f%n", manyKeys, fewKeys, many[0] / few[0],
        many[1] / few[1]);
  }

  /** Median seconds of the interval backfill and median milliseconds of one lookup of 2,048 keys. */
  private static double[] touchedKeysBackfill(long keys, long touched) throws IOException {
    Duration day = Duration.ofDays(1);
    GeneratedSource source = GeneratedSource.of(keys, keys, START, day);
    Path dir = freshDir("keys" + keys);
    dev.backfill.duckdb.DuckDbOfflineStore offline = dev.backfill.duckdb.DuckDbOfflineStore.open(dir.resolve("offline.duckdb"));
    try (offline;
         BackfillClient client = BackfillClient.builder().offlineStore(offline)
             .onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString())).build()) {
      client.register(featureSet(source));
      client.backfill(GeneratedSource.FEATURE_SET).reset().between(START, START.plus(day)).run();
      // The span of `touched` consecutive rows, in the middle of the day, on whole microseconds.
      long micros = day.toNanos() / 1_000 * touched / keys;
      Instant from = START.plus(Duration.ofHours(12));
      Instant to = from.plus(Duration.ofNanos(micros * 1_000));
      List<Double> times = new ArrayList<>();
      List<Double> lookups = new ArrayList<>();
      List<dev.backfill.api.EntityKey> wanted = LongStream.range(0, 2_048).map(k -> k * keys / 2_048).distinct()
          .mapToObj(dev.backfill.api.EntityKey::of).toList();
      for (int run = 0; run < 6; run++) {
        // New values on every run, so that every touched key is written online.
        long bump = run + 1;
        dev.backfill.spi.Transform changed = dev.backfill.spi.Transform.map(GeneratedSource.SCHEMA,
            row -> Row.of(GeneratedSource.SCHEMA, row.get(0), row.get(1), row.getLong("clicks") + bump, row.get(3), row.get(4)));
        Timed<BackfillResult> t = time(() -> client.backfill(GeneratedSource.FEATURE_SET).between(from, to).transform(changed).run());
        long start = System.nanoTime();
        int found = offline.latest(GeneratedSource.FEATURE_SET, wanted).size();
        double lookupMs = (System.nanoTime() - start) / 1e6;
        if (found != wanted.size()) {
          throw new IllegalStateException("lookup found " + found + " of " + wanted.size() + " keys");
        }
        if (run == 0) {
          System.out.printf("   %,d keys: the interval [%s, %s) wrote %,d rows and %,d online keys%n", keys, from, to,
              t.value().rowsWritten(), t.value().onlineKeysWritten());
        } else {
          times.add(t.seconds());
          lookups.add(lookupMs);
        }
      }
      return new double[] {median(times), median(lookups)};
    }
  }
}
