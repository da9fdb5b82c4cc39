package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbFileSourceTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  @TempDir Path dir;

  private static List<Row> read(DataSource source, TimeRange range) {
    try (Stream<Row> rows = source.read(range)) {
      return rows.toList();
    }
  }

  private static void sql(String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** 100,000 rows, one a second from T0, in row groups of 10,000. */
  private Path parquet(String name, long from) throws Exception {
    Path file = dir.resolve(name);
    sql("COPY (SELECT 'u' || (i % 100) AS user_id, make_timestamp((1704067200 + i)::BIGINT * 1000000) AS ts, i AS n, "
        + "i / 4.0 AS amount FROM range(" + from + ", " + (from + 100_000) + ") r(i)) TO '" + file
        + "' (FORMAT parquet, ROW_GROUP_SIZE 10000)");
    return file;
  }

  @Test
  void csvColumnsAreTypedAndTimestampsWithoutZoneAreUtc() throws Exception {
    Path csv = dir.resolve("clicks.csv");
    Files.writeString(csv, """
        user,ts,clicks,spend,active
        ann,2024-01-01 00:00:00,3,1.5,true
        bob,2024-01-01 12:30:00,4,2.25,false
        ann,2024-01-02 00:00:00,5,0.5,true
        """);
    DataSource source = Plugins.dataSource("csv", Map.of("path", csv.toString(), "time-column", "ts"));
    assertThat(source.schema()).isEqualTo(Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
        new Field("clicks", FieldType.LONG), new Field("spend", FieldType.DOUBLE), new Field("active", FieldType.BOOLEAN)));
    // start inclusive, stop exclusive
    assertThat(read(source, TimeRange.of(T0, Instant.parse("2024-01-02T00:00:00Z")))).containsExactly(
        Row.of(source.schema(), "ann", T0, 3L, 1.5, true),
        Row.of(source.schema(), "bob", Instant.parse("2024-01-01T12:30:00Z"), 4L, 2.25, false));
  }

  @Test
  void aDateOrZonedTimeColumnIsReadAsUtcInstants() throws Exception {
    Path csv = dir.resolve("zoned.csv");
    Files.writeString(csv, "id,at,day\n1,2024-01-01 02:00:00+02,2024-01-01\n2,2024-01-02 00:00:00+00,2024-01-02\n");
    DataSource zoned = DuckDbFileSource.csv(csv, "at");
    assertThat(read(zoned, TimeRange.of(T0, T0.plusSeconds(3600)))).singleElement()
        .satisfies(r -> assertThat(r.getInstant("at")).isEqualTo(T0));
    DataSource byDay = DuckDbFileSource.csv(csv, "day");
    assertThat(read(byDay, TimeRange.of(T0.plusSeconds(86_400), T0.plusSeconds(2 * 86_400)))).singleElement()
        .satisfies(r -> assertThat(r.getInstant("day")).isEqualTo(Instant.parse("2024-01-02T00:00:00Z")));
  }

  @Test
  void parquetReadsOnlyTheRangeAndDuckDbPushesTheFilterIntoTheScan() throws Exception {
    Path file = parquet("events.parquet", 0);
    DuckDbFileSource source = DuckDbFileSource.parquet(file.toString(), "ts");
    TimeRange range = TimeRange.of(T0.plusSeconds(50_000), T0.plusSeconds(51_000));
    List<Row> rows = read(source, range);
    assertThat(rows).hasSize(1_000).allSatisfy(r -> assertThat(range.contains(r.getInstant("ts"))).isTrue());
    assertThat(rows.get(0).get("n")).isInstanceOf(Long.class);
    assertThat(rows.get(0).get("amount")).isInstanceOf(Double.class);
    StringBuilder plan = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("EXPLAIN ANALYZE " + source.selectSql(range))) {
      while (rs.next()) {
        plan.append(rs.getString(2));
      }
    }
    // The scan itself filters: it emits the 1,000 rows of the range, not the file's 100,000.
    assertThat(plan.toString()).contains("READ_PARQUET").contains("Filters:").contains("1,000 rows").doesNotContain("100,000 rows");
  }

  @Test
  void aParquetGlobReadsEveryMatchingFile() throws Exception {
    parquet("part-1.parquet", 0);
    parquet("part-2.parquet", 100_000);
    DataSource source = Plugins.dataSource("parquet", Map.of("path", dir.resolve("part-*.parquet").toString(), "time-column", "ts"));
    assertThat(read(source, TimeRange.of(T0.plusSeconds(99_000), T0.plusSeconds(101_000)))).hasSize(2_000);
  }

  @Test
  void concurrentReadsOfDifferentRangesEachGetTheirRows() throws Exception {
    DataSource source = DuckDbFileSource.parquet(parquet("events.parquet", 0).toString(), "ts");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Row>>> reads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        TimeRange range = TimeRange.of(T0.plusSeconds(i * 10_000L), T0.plusSeconds(i * 10_000L + 5_000));
        reads.add(pool.submit(() -> read(source, range)));
      }
      for (int i = 0; i < 8; i++) {
        List<Row> rows = reads.get(i).get();
        assertThat(rows).hasSize(5_000);
        assertThat(rows).extracting(r -> r.getLong("n")).allSatisfy(n -> assertThat(n / 10_000).isEqualTo(0L + rows.get(0).getLong("n") / 10_000));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** What the engine compares before the commit: it changes with the files, and only then. */
  @Test
  void theFingerprintChangesWhenAFileIsRewrittenTruncatedTouchedAddedOrRemoved() throws Exception {
    Path csv = Files.writeString(dir.resolve("clicks.csv"), "user,ts\nann,2024-01-01 00:00:00\nbob,2024-01-01 01:00:00\n");
    DataSource source = Plugins.dataSource("csv", Map.of("path", csv.toString(), "time-column", "ts"));
    String first = source.fingerprint().orElseThrow();
    assertThat(first).contains("bytes, modified").doesNotContain("\n");
    read(source, TimeRange.all());
    assertThat(source.fingerprint()).as("reading changes nothing").contains(first);
    Files.writeString(csv, "user,ts\nann,2024-01-01 00:00:00\n");
    String truncated = source.fingerprint().orElseThrow();
    assertThat(truncated).isNotEqualTo(first);
    Files.setLastModifiedTime(csv, java.nio.file.attribute.FileTime.from(T0));
    String touched = source.fingerprint().orElseThrow();
    assertThat(touched).isNotEqualTo(truncated).contains("modified " + T0);
    Files.delete(csv);
    assertThat(source.fingerprint()).hasValueSatisfying(f -> assertThat(f).startsWith("no such file"));

    parquet("part-1.parquet", 0);
    DataSource glob = Plugins.dataSource("parquet", Map.of("path", dir.resolve("part-*.parquet").toString(), "time-column", "ts"));
    String one = glob.fingerprint().orElseThrow();
    assertThat(glob.fingerprint()).contains(one);
    Path second = parquet("part-2.parquet", 100_000);
    String two = glob.fingerprint().orElseThrow();
    assertThat(two).isNotEqualTo(one).startsWith("2 files, ");
    Files.delete(second);
    assertThat(glob.fingerprint()).as("the file is gone: as before it came").contains(one);
    Files.delete(dir.resolve("part-1.parquet"));
    assertThat(glob.fingerprint()).contains("no file");
  }

  @Test
  void badPathsAndColumnsAreErrorsNamingTheOption() throws Exception {
    Path csv = dir.resolve("c.csv");
    Files.writeString(csv, "id,name,at\n1,x,2024-01-01 00:00:00\n");
    assertThatThrownBy(() -> Plugins.dataSource("csv", Map.of("path", dir.resolve("missing.csv").toString(), "time-column", "at")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("data source 'csv'")
        .hasMessageContaining("option path").hasMessageContaining("no such file");
    assertThatThrownBy(() -> Plugins.dataSource("csv", Map.of("path", dir.toString(), "time-column", "at")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> Plugins.dataSource("parquet", Map.of("path", dir.resolve("*.parquet").toString(), "time-column", "at")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("matches no file");
    assertThatThrownBy(() -> Plugins.dataSource("csv", Map.of("path", csv.toString(), "time-column", "when")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("time-column 'when'")
        .hasMessageContaining("[id, name, at]");
    assertThatThrownBy(() -> Plugins.dataSource("csv", Map.of("path", csv.toString(), "time-column", "name")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("time-column 'name' has type VARCHAR");
    assertThatThrownBy(() -> Plugins.dataSource("csv", Map.of("path", csv.toString())))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("missing option 'time-column'");
    assertThatThrownBy(() -> Plugins.dataSource("csv", Map.of("path", csv.toString(), "time-column", "at", "delimiter", ";")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("unknown option(s) [delimiter]");
    Path lists = dir.resolve("lists.parquet");
    sql("COPY (SELECT TIMESTAMP '2024-01-01' AS ts, [1, 2] AS tags) TO '" + lists + "' (FORMAT parquet)");
    assertThatThrownBy(() -> DuckDbFileSource.parquet(lists.toString(), "ts")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tags' INTEGER[]");
  }
}
