package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the DuckDB store adds to the kit: durability, the file lock, large staged replacements, options. */
class DuckDbOfflineStoreTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Schema SCHEMA = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
      new Field("clicks", FieldType.LONG));
  private static final TableSpec CLICKS = new TableSpec("clicks", SCHEMA, List.of("user"), "ts");

  @TempDir Path dir;

  private static Row click(String user, int minute, long clicks) {
    return Row.of(SCHEMA, user, T0.plus(Duration.ofMinutes(minute)), clicks);
  }

  private static long count(OfflineStore store) {
    try (Stream<Row> rows = store.scan("clicks", TimeRange.all())) {
      return rows.count();
    }
  }

  @Test
  void tablesRowsLatestRowsAndCommitIdsSurviveAReopen() {
    Path file = dir.resolve("offline.duckdb");
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(file)) {
      store.createTable(CLICKS);
      store.append("clicks", List.of(click("ann", 0, 1), click("bob", 1, 2)));
      try (OfflineReplacement r = store.beginReplace("clicks", Optional.of(TimeRange.of(T0, T0.plusSeconds(30))), "job-1")) {
        r.write(List.of(click("ann", 0, 10)));
        r.commit();
      }
    }
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(file)) {
      assertThat(store.table("clicks")).contains(CLICKS);
      assertThat(count(store)).isEqualTo(2);
      assertThat(store.isCommitted("clicks", "job-1")).isTrue();
      assertThat(store.isCommitted("clicks", "job-2")).isFalse();
      assertThat(store.latest("clicks", List.of(EntityKey.of("ann"), EntityKey.of("bob"))))
          .containsEntry(EntityKey.of("ann"), click("ann", 0, 10))
          .containsEntry(EntityKey.of("bob"), click("bob", 1, 2));
      store.createTable(CLICKS);
      TableSpec other = new TableSpec("clicks", Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP)),
          List.of("user"), "ts");
      assertThatThrownBy(() -> store.createTable(other)).isInstanceOf(InvalidFeatureSetException.class)
          .hasMessageContaining("clicks").hasMessageContaining("another spec");
    }
  }

  @Test
  void aReplacementLargerThanTheAppendersAutoCommitChunkStaysInvisibleUntilItsCommit() {
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(dir.resolve("offline.duckdb"))) {
      store.createTable(CLICKS);
      store.append("clicks", List.of(click("old", 0, 1)));
      int rows = 450_000; // DuckDB's Appender would auto-commit every 204,800 rows outside a transaction
      try (OfflineReplacement r = store.beginReplace("clicks", Optional.empty(), "big-discarded")) {
        writeMany(r, rows);
        assertThat(count(store)).isEqualTo(1);
      }
      assertThat(count(store)).isEqualTo(1);
      assertThat(store.isCommitted("clicks", "big-discarded")).isFalse();
      try (OfflineReplacement r = store.beginReplace("clicks", Optional.empty(), "big")) {
        writeMany(r, rows);
        assertThat(count(store)).isEqualTo(1);
        assertThat(r.commit()).isEqualTo(new OfflineReplacement.Commit(1, rows));
        try (Stream<EntityKey> keys = r.changedKeys()) {
          assertThat(keys.count()).isEqualTo(1_001); // "old" and user0..user999
        }
      }
      assertThat(count(store)).isEqualTo(rows);
    }
  }

  private static void writeMany(OfflineReplacement r, int rows) {
    List<Row> batch = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      batch.add(click("user" + (i % 1_000), i % 10_000, i));
      if (batch.size() == 8_192) {
        r.write(batch);
        batch = new ArrayList<>();
      }
    }
    r.write(batch);
  }

  @Test
  void aDroppedTableLeavesNothingInTheFileAndItsNameTakesAnotherSpec() throws Exception {
    Path file = dir.resolve("offline.duckdb");
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(file)) {
      store.createTable(CLICKS);
      try (OfflineReplacement r = store.beginReplace("clicks", Optional.empty(), "job-1")) {
        r.write(List.of(click("ann", 0, 1)));
        r.commit();
      }
      store.dropTable("clicks");
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM information_schema.tables WHERE table_name = 'clicks'), "
             + "(SELECT count(*) FROM backfill_internal.tables WHERE name = 'clicks'), "
             + "(SELECT count(*) FROM backfill_internal.commits WHERE table_name = 'clicks')")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly(0L, 0L, 0L);
    }
    TableSpec other = new TableSpec("clicks", Schema.of(new Field("user", FieldType.STRING),
        new Field("ts", FieldType.TIMESTAMP), new Field("clicks", FieldType.DOUBLE)), List.of("user"), "ts");
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(file)) {
      assertThat(store.table("clicks")).isEmpty();
      store.createTable(other);
      assertThat(count(store)).isZero();
      assertThat(store.isCommitted("clicks", "job-1")).isFalse();
    }
  }

  @Test
  void theFeatureSetTablesArePlainDuckDbTablesForOtherTools() throws Exception {
    Path file = dir.resolve("offline.duckdb");
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(file)) {
      store.createTable(CLICKS);
      store.append("clicks", List.of(click("ann", 0, 1), click("ann", 5, 3)));
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT sum(clicks), max(ts) FROM clicks")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(4);
      assertThat(rs.getObject(2, java.time.LocalDateTime.class)).isEqualTo(java.time.LocalDateTime.of(2024, 3, 1, 0, 5));
    }
  }

  @Test
  void aTableThatBackfillDidNotCreateIsNotTakenOver() throws Exception {
    Path file = dir.resolve("offline.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE clicks (x INTEGER)");
    }
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(file)) {
      assertThatThrownBy(() -> store.createTable(CLICKS)).isInstanceOf(InvalidFeatureSetException.class)
          .hasMessageContaining("'clicks'").hasMessageContaining("did not create");
    }
  }

  @Test
  void aSecondStoreOnTheSameFileInThisProcessIsRefusedUntilTheFirstIsClosed() throws Exception {
    // Issue 17 point 10: DuckDB's driver shares the database, so the second store opened silently.
    Path file = dir.resolve("shared.duckdb");
    try (DuckDbOfflineStore first = DuckDbOfflineStore.open(file)) {
      first.createTable(CLICKS);
      Path link = Files.createSymbolicLink(dir.resolve("link.duckdb"), file);
      Path roundabout = Files.createDirectory(dir.resolve("sub")).resolve("..").resolve("shared.duckdb");
      for (Path same : List.of(file, link, roundabout)) {
        assertThatThrownBy(() -> DuckDbOfflineStore.open(same)).as(same.toString()).isInstanceOf(StoreException.class)
            .hasMessageContaining(file.toRealPath().toString()).hasMessageContaining("another DuckDB offline store of this process");
      }
      assertThatThrownBy(() -> BackfillClient.builder().offlineStore("duckdb", Map.of("path", file.toString()))
          .onlineStore(InMemoryOnlineStore.create()).build()).isInstanceOf(StoreException.class)
          .hasMessageContaining("this process");
      assertThat(first.table("clicks")).as("the first store is unharmed").isPresent();
    }
    try (DuckDbOfflineStore again = DuckDbOfflineStore.open(file)) {
      assertThat(again.table("clicks")).isPresent();
    }
    try (DuckDbOfflineStore other = DuckDbOfflineStore.open(dir.resolve("other.duckdb"))) {
      assertThat(other.table("clicks")).as("another file is another store").isEmpty();
    }
  }

  @Test
  void aFileHeldByAnotherProcessIsAClearErrorNamingIt() throws Exception {
    Path file = dir.resolve("held.duckdb");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), HoldDuckDbFile.class.getName(), file.toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("ready");
      assertThatThrownBy(() -> DuckDbOfflineStore.open(file)).isInstanceOf(StoreException.class)
          .hasMessageContaining(file.toString()).hasMessageContaining("another process");
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }

  @Test
  void providerOptionsAreChecked() throws Exception {
    try (OfflineStore memory = Plugins.offlineStore("duckdb", Map.of())) {
      memory.createTable(CLICKS);
      assertThat(memory.table("clicks")).contains(CLICKS);
    }
    Path file = dir.resolve("sub/dir/o.duckdb");
    try (OfflineStore onFile = Plugins.offlineStore("duckdb", Map.of("path", file.toString(), "fast-path", "false"))) {
      onFile.createTable(CLICKS);
    }
    assertThat(file).exists();
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("file", "x")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("offline store 'duckdb'").hasMessageContaining("[file]").hasMessageContaining("path");
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("fast-path", "yes")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("fast-path 'yes'");
  }

  /**
   * DuckDB opens a Parquet or CSV file given as a database as an in-memory database: commits
   * would succeed and vanish with the process. Anything at the path that is not a DuckDB
   * database is refused, and left as it was.
   */
  @Test
  void aPathThatExistsAndIsNotADuckDbDatabaseIsRefusedNamingIt() throws Exception {
    Path parquet = dir.resolve("flights.parquet");
    Path csv = dir.resolve("flights.csv");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 'a' AS origin, TIMESTAMP '2024-01-01' AS date) TO '" + parquet + "' (FORMAT parquet)");
      s.execute("COPY (SELECT 'a' AS origin, TIMESTAMP '2024-01-01' AS date) TO '" + csv + "' (FORMAT csv, HEADER)");
    }
    Path empty = Files.createFile(dir.resolve("empty.duckdb"));
    Path folder = Files.createDirectories(dir.resolve("folder"));
    Map<Path, String> cases = Map.of(parquet, "a Parquet file", csv, "a file of another format", empty, "an empty file",
        folder, "a directory");
    for (Map.Entry<Path, String> c : cases.entrySet()) {
      Path path = c.getKey();
      byte[] before = Files.isDirectory(path) ? new byte[0] : Files.readAllBytes(path);
      assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("path", path.toString())).close())
          .as(c.getValue()).isInstanceOf(StoreException.class)
          .hasMessageContaining("'" + path + "'").hasMessageContaining("is not a DuckDB database")
          .hasMessageContaining(c.getValue()).hasMessageNotContaining("\n");
      if (!Files.isDirectory(path)) {
        assertThat(Files.readAllBytes(path)).as(c.getValue()).isEqualTo(before);
      }
    }
    assertThat(folder).isEmptyDirectory();
    Path database = dir.resolve("real.duckdb");
    try (OfflineStore created = Plugins.offlineStore("duckdb", Map.of("path", database.toString()))) {
      created.createTable(CLICKS);
    }
    try (OfflineStore reopened = Plugins.offlineStore("duckdb", Map.of("path", database.toString()))) {
      assertThat(reopened.table("clicks")).contains(CLICKS);
    }
  }

  @Test
  void aClosedStoreRefusesWorkAndDiscardsOpenReplacements() {
    Path file = dir.resolve("offline.duckdb");
    DuckDbOfflineStore store = DuckDbOfflineStore.open(file);
    store.createTable(CLICKS);
    OfflineReplacement open = store.beginReplace("clicks", Optional.empty(), "never");
    open.write(List.of(click("ann", 0, 1)));
    store.close();
    assertThatThrownBy(open::commit).isInstanceOf(IllegalStateException.class);
    // A closed store is a store failure like any other (issue 17 point 7: was an IllegalStateException).
    assertThatThrownBy(() -> store.scan("clicks", TimeRange.all())).isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
    try (DuckDbOfflineStore reopened = DuckDbOfflineStore.open(file)) {
      assertThat(count(reopened)).isZero();
      assertThat(reopened.isCommitted("clicks", "never")).isFalse();
    }
  }
}
