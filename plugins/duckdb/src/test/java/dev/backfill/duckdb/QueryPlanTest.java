package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.TableSpec;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each query of the DuckDB store that must follow the range or the keys, checked by its plan
 * (DuckDB's {@code EXPLAIN ANALYZE}), not by a time: a lookup of keys scans the ART index of the
 * latest rows, and a query of a range hands the range to the scan of the history as a filter
 * (which lets DuckDB skip the row groups outside it by their min/max statistics). A change
 * that brings back a full scan fails here.
 */
class QueryPlanTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final int DAYS = 40;
  private static final int KEYS = 50_000;
  private static final int ROWS = 200_000;
  private static final Schema SCHEMA = Schema.of(new Field("user", FieldType.LONG), new Field("ts", FieldType.TIMESTAMP),
      new Field("v", FieldType.LONG));
  private static final TableSpec EVENTS = new TableSpec("events", SCHEMA, List.of("user"), "ts");
  private static final Schema PAIRS = Schema.of(new Field("country", FieldType.STRING), new Field("user", FieldType.LONG),
      new Field("ts", FieldType.TIMESTAMP), new Field("v", FieldType.DOUBLE));
  private static final TableSpec BY_COUNTRY = new TableSpec("by_country", PAIRS, List.of("country", "user"), "ts");
  private static final TimeRange ONE_DAY = TimeRange.of(T0.plus(Duration.ofDays(20)), T0.plus(Duration.ofDays(21)));

  @TempDir static Path dir;
  private static DuckDbOfflineStore store;

  @BeforeAll
  static void load() {
    store = DuckDbOfflineStore.open(dir.resolve("offline.duckdb"));
    store.createTable(EVENTS);
    store.createTable(BY_COUNTRY);
    try (OfflineReplacement r = store.beginReplace("events", Optional.empty(), "load-events");
         OfflineReplacement p = store.beginReplace("by_country", Optional.empty(), "load-pairs")) {
      List<Row> rows = new ArrayList<>();
      List<Row> pairs = new ArrayList<>();
      for (long i = 0; i < ROWS; i++) {
        Instant ts = T0.plus(Duration.ofSeconds(i * DAYS * 86_400L / ROWS));
        rows.add(Row.of(SCHEMA, i % KEYS, ts, i));
        pairs.add(Row.of(PAIRS, "c" + (i % 500), i % KEYS, ts, i * 0.5));
        if (rows.size() == 10_000) {
          r.write(rows);
          p.write(pairs);
          rows.clear();
          pairs.clear();
        }
      }
      r.commit();
      p.commit();
    }
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Test
  void aLookupOfKeysScansTheIndexOfTheLatestRows() throws SQLException {
    TableSql sql = store.sql("events");
    List<EntityKey> keys = LongStream.range(0, TableSql.INDEX_SCAN_KEYS).map(i -> i * 17 % KEYS).mapToObj(EntityKey::of).toList();
    List<Scan> scans = plan(sql.latestOf(keys));
    assertThat(scans).isNotEmpty().allSatisfy(scan -> assertThat(scan.type()).as(scan.toString()).isEqualTo("Index Scan"));
    assertThat(store.latest("events", keys)).hasSize(keys.size());
  }

  @Test
  void aLookupOfCompositeKeysScansTheIndexOfTheirFirstColumn() throws SQLException {
    TableSql sql = store.sql("by_country");
    List<EntityKey> keys = LongStream.range(0, 40).mapToObj(i -> EntityKey.of("c" + (i * 1_250 % 500), i * 1_250)).toList();
    List<Scan> scans = plan(sql.latestOf(keys));
    assertThat(scans).isNotEmpty().allSatisfy(scan -> assertThat(scan.type()).as(scan.toString()).isEqualTo("Index Scan"));
    assertThat(store.latest("by_country", keys)).hasSize(keys.size());
  }

  @Test
  void theQueriesOfARangeFilterTheScanOfTheHistoryByEventTime() throws SQLException {
    TableSql sql = store.sql("events");
    List<String> queries = List.of(sql.selectInRange(ONE_DAY), sql.countInRange(ONE_DAY),
        "SELECT DISTINCT " + sql.keyColumns + " FROM " + sql.keysFrom(ONE_DAY), sql.deleteRange(Optional.of(ONE_DAY)),
        sql.rowsOfKeysBetween("temp.some_keys", ONE_DAY.start().minus(Duration.ofDays(7)), ONE_DAY.start()),
        sql.keysLeftWithoutRowsIn(sql.latest, ONE_DAY));
    for (String query : queries) {
      List<Scan> scans = plan(query).stream().filter(scan -> scan.table().equals("events")).toList();
      assertThat(scans).as(query).isNotEmpty().allSatisfy(scan -> assertThat(scan.filters()).as(query)
          .containsPattern("ts>='2024-01-(21|14) 00:00:00'::TIMESTAMP AND ts<'2024-01-2[12] 00:00:00'::TIMESTAMP"));
    }
  }

  @Test
  void theWholeTablesKeysAreReadFromTheLatestRows() throws SQLException {
    TableSql sql = store.sql("events");
    String query = "SELECT DISTINCT " + sql.keyColumns + " FROM " + sql.keysFrom(TimeRange.all());
    assertThat(query).contains(sql.latest);
    assertThat(plan(query)).singleElement().satisfies(scan -> assertThat(scan.rowsScanned()).isLessThan(ROWS));
  }

  /** The check itself fails on a plan that scans the whole table: a join of a keys table, as lookups were made before. */
  @Test
  void aJoinOfAKeysTableIsSeenAsAFullScan() throws SQLException {
    TableSql sql = store.sql("events");
    List<Scan> scans = plan("SELECT l.* FROM " + sql.latest + " l SEMI JOIN temp.some_keys w ON " + sql.keysEqual("l", "w"));
    assertThat(scans).filteredOn(scan -> scan.table().equals("events"))
        .singleElement().satisfies(scan -> assertThat(scan.type()).isEqualTo("Sequential Scan"));
    assertThat(plan("SELECT * FROM " + sql.log).get(0).filters()).isEmpty();
  }

  record Scan(String table, String type, String filters, long rowsScanned) {}

  private static final Pattern NODE = Pattern.compile("\"operator_name\": \"([A-Z_ ]+)\"");

  /** The scans of the plan of the query, run by EXPLAIN ANALYZE in a transaction that is rolled back. */
  private static List<Scan> plan(String query) throws SQLException {
    String json;
    try (DuckDBConnection c = store.connection(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("CREATE TEMP TABLE some_keys AS SELECT range AS \"user\" FROM range(0, " + KEYS + ", 97)");
      try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, FORMAT json) " + query)) {
        rs.next();
        json = rs.getString(2);
      }
      c.rollback();
    }
    List<Scan> scans = new ArrayList<>();
    Matcher node = NODE.matcher(json);
    List<int[]> spans = new ArrayList<>();
    while (node.find()) {
      spans.add(new int[] {node.start(), node.end()});
    }
    for (int i = 0; i < spans.size(); i++) {
      String name = json.substring(spans.get(i)[0], spans.get(i)[1]);
      if (!name.contains("SCAN") || name.contains("COLUMN_DATA")) {
        continue;
      }
      String body = json.substring(spans.get(i)[1], i + 1 < spans.size() ? spans.get(i + 1)[0] : json.length());
      Matcher scanned = Pattern.compile("\"operator_rows_scanned\": (\\d+)").matcher(body);
      scans.add(new Scan(field(body, "Table"), field(body, "Type"), field(body, "Filters"),
          scanned.find() ? Long.parseLong(scanned.group(1)) : -1));
    }
    return scans;
  }

  private static String field(String body, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \"([^\"]*)\"").matcher(body);
    return m.find() ? m.group(1) : "";
  }
}
