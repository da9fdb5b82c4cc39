package dev.backfill.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Runs {@link EmbeddedBenchmarks} on small sizes and checks that each baseline does the work of
 * the engine it is compared with (the same offline rows, the same latest rows per key): a ratio
 * means something only then. No timing.
 */
class EmbeddedBenchmarksSmokeTest {
  private static final long ROWS = 20_000;
  private static final long KEYS = 500;

  @TempDir Path dir;

  @Test
  void theRawBaselineWritesTheEnginesOfflineRowsAndLatestRows() throws Exception {
    GeneratedSource source = GeneratedSource.of(ROWS, KEYS, EmbeddedBenchmarks.START, Duration.ofDays(50));
    Path engineDir = dir.resolve("engine");
    BackfillResult result;
    try (BackfillClient client = EmbeddedBenchmarks.client(engineDir, false)) {
      client.register(EmbeddedBenchmarks.featureSet(source));
      result = client.backfill(GeneratedSource.FEATURE_SET).reset()
          .between(source.range().start(), source.range().stop()).run();
    }
    Path rawDir = dir.resolve("raw");
    Files.createDirectories(rawDir);
    long rawKeys = EmbeddedBenchmarks.rawWrites(source, rawDir);

    assertThat(result.rowsWritten()).isEqualTo(ROWS);
    assertThat(result.onlineKeysWritten()).isEqualTo(KEYS);
    assertThat(rawKeys).isEqualTo(KEYS);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + rawDir.resolve("raw.duckdb"));
         Statement s = c.createStatement()) {
      s.execute("ATTACH '" + engineDir.resolve("offline.duckdb") + "' AS engine (READ_ONLY)");
      assertThat(count(s, "SELECT count(*) FROM t")).isEqualTo(ROWS);
      assertSameRowsAsBaseline(s, "engine.main.\"" + GeneratedSource.FEATURE_SET + "\"",
          "user_id, epoch_us(ts), clicks, spend, score");
    }

    RocksDB.loadLibrary();
    try (OnlineStore online = Plugins.onlineStore("rocksdb", Map.of("path", engineDir.resolve("online").toString()));
         Options options = new Options();
         RocksDB raw = RocksDB.openReadOnly(options, rawDir.resolve("raw-online").toString())) {
      for (long k = 0; k < KEYS; k++) {
        Row engineRow = online.get(GeneratedSource.FEATURE_SET, EntityKey.of(k)).orElseThrow();
        ByteBuffer rawValue = ByteBuffer.wrap(raw.get(ByteBuffer.allocate(8).putLong(k).array()));
        assertThat(rawValue.getLong()).isEqualTo(DuckDbTypes.epochMicros(engineRow.getInstant("ts")));
        assertThat(rawValue.getLong()).isEqualTo(engineRow.getLong("clicks"));
        assertThat(rawValue.getDouble()).isEqualTo(engineRow.getDouble("spend"));
        assertThat(rawValue.getDouble()).isEqualTo(engineRow.getDouble("score"));
      }
    }
  }

  @Test
  void bothEnginePathsAndTheCtasBaselineLoadTheSameRows() throws Exception {
    EmbeddedBenchmarks.ParquetReset events = EmbeddedBenchmarks.events(ROWS, KEYS);
    Path fastDir = dir.resolve("fast");
    Path jvmDir = dir.resolve("jvm");
    Path ctasDir = dir.resolve("ctas");
    Files.createDirectories(ctasDir);
    BackfillResult fast = EmbeddedBenchmarks.resetFromParquet(events, fastDir, true);
    BackfillResult jvm = EmbeddedBenchmarks.resetFromParquet(events, jvmDir, false);
    EmbeddedBenchmarks.ctas(events, ctasDir);

    assertThat(fast.rowsWritten()).isEqualTo(ROWS);
    assertThat(jvm.rowsWritten()).isEqualTo(ROWS);
    assertThat(fast.onlineKeysWritten()).isEqualTo(KEYS);
    assertThat(jvm.onlineKeysWritten()).isEqualTo(KEYS);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + ctasDir.resolve("ctas.duckdb"));
         Statement s = c.createStatement()) {
      s.execute("ATTACH '" + fastDir.resolve("offline.duckdb") + "' AS fast (READ_ONLY)");
      s.execute("ATTACH '" + jvmDir.resolve("offline.duckdb") + "' AS jvm (READ_ONLY)");
      String columns = "user_id, epoch_us(ts), clicks, spend";
      for (String engine : new String[] {"fast", "jvm"}) {
        assertSameRowsAsBaseline(s, engine + ".main.events", columns);
      }
      assertThat(count(s, "SELECT count(*) FROM latest")).isEqualTo(KEYS);
    }
  }

  @Test
  void theFlightsResetAndItsBaselineLoadTheSameRows() throws Exception {
    EmbeddedBenchmarks.ParquetReset flights = EmbeddedBenchmarks.flights(ROWS, 12);
    Path fastDir = dir.resolve("fast");
    Path ctasDir = dir.resolve("ctas");
    Files.createDirectories(ctasDir);
    BackfillResult fast = EmbeddedBenchmarks.resetFromParquet(flights, fastDir, true);
    EmbeddedBenchmarks.ctas(flights, ctasDir);

    assertThat(fast.rowsWritten()).isEqualTo(ROWS);
    assertThat(fast.onlineKeysWritten()).isEqualTo(12);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + ctasDir.resolve("ctas.duckdb"));
         Statement s = c.createStatement()) {
      s.execute("ATTACH '" + fastDir.resolve("offline.duckdb") + "' AS fast (READ_ONLY)");
      assertSameRowsAsBaseline(s, "fast.main.airport_delays", "origin, epoch_us(date), delay, distance, destination");
      assertThat(count(s, "SELECT count(DISTINCT origin) FROM latest")).isEqualTo(12);
    }
  }

  @Test
  void everyHarnessRunsToItsRatioOnSmallSizes() throws Exception {
    assertThat(run("raw", "2000", "50")).contains("ratio engine time / raw time:");
    assertThat(run("fastpath", "2000", "50")).contains("engine reset, fast path", "ratio");
    assertThat(run("flights", "2000", "12")).contains("2,000-row flights Parquet file, 12 airports", "ratio");
    assertThat(run("interval", "200", "20")).contains("last day of a 60-day feature set", "ratio");
    assertThat(run("keys", "8000", "2000", "300")).contains("lookup of 2,048 keys", "ratio 8,000 / 2,000 keys")
        .contains("wrote 300 rows and 300 online keys");
  }

  @Test
  void theMemoryHarnessRunsEachPathInAChildJvm() throws Exception {
    String out = run("memory", "3000", "100", "96m", "128MB", "1");
    assertThat(out).contains("engine   3,000 rows, 100 online keys", "raw      3,000 rows, 100 online keys", "peak RSS");
  }

  /**
   * The engine's table holds the baseline's table {@code t}, row for row over the columns: the
   * same number of rows, and none of {@code t} missing (as multisets, repeats counted).
   */
  private static void assertSameRowsAsBaseline(Statement s, String table, String columns) throws Exception {
    assertThat(count(s, "SELECT count(*) FROM " + table)).as(table).isEqualTo(count(s, "SELECT count(*) FROM t"));
    assertThat(count(s, "SELECT count(*) FROM (SELECT " + columns + " FROM t EXCEPT ALL SELECT " + columns + " FROM " + table
        + ")")).as(table).isZero();
  }

  private static String run(String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      EmbeddedBenchmarks.main(args);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
