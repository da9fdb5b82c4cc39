package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code iceberg} source on a table the Iceberg offline store wrote, in one process. */
class IcebergTableSourceTest {
  private static final Schema SCHEMA = Schema.of(new Field("id", FieldType.STRING), new Field("n", FieldType.LONG),
      new Field("amount", FieldType.DOUBLE), new Field("ok", FieldType.BOOLEAN), new Field("t", FieldType.TIMESTAMP));
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private Map<String, String> catalog;
  private OfflineStore store;

  @BeforeEach
  void writeTable() {
    catalog = Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "warehouse", dir.resolve("warehouse").toString(), "namespace", "raw");
    store = Plugins.offlineStore("iceberg", catalog);
    store.createTable(new TableSpec("trips", SCHEMA, List.of("id"), "t"));
    // Two appends over three days: two snapshots, several files, rows on both sides of a range.
    store.append("trips", List.of(row("a", 0, 0), row("b", 1, 30), row("a", 2, 60 * 24 + 1)));
    store.append("trips", List.of(row("c", 3, 60 * 24 * 2), row("b", 4, 60 * 24 - 1)));
  }

  private static Row row(String id, long n, long minutes) {
    return Row.of(SCHEMA, id, n, n * 1.5, n % 2 == 0, T0.plusSeconds(minutes * 60).plusNanos(123_000));
  }

  private DataSource source(Map<String, String> extra) {
    Map<String, String> options = new HashMap<>(catalog);
    options.put("table", "trips");
    options.put("time-column", "t");
    options.putAll(extra);
    options.values().removeIf(String::isEmpty);
    return Plugins.dataSource("iceberg", options);
  }

  @Test
  void readsTheRangeOfTheTableWithItsSchema() {
    DataSource source = source(Map.of());
    assertThat(source.schema()).isEqualTo(SCHEMA);
    assertThat(source.eventTimeColumn()).contains("t");
    TimeRange firstDay = TimeRange.of(T0, T0.plusSeconds(86_400));
    try (Stream<Row> rows = source.read(firstDay)) {
      assertThat(rows.map(r -> r.getString("id") + r.getLong("n")).sorted().toList()).containsExactly("a0", "b1", "b4");
    }
    try (Stream<Row> rows = source.read(TimeRange.of(T0.plusSeconds(86_400), T0.plusSeconds(3 * 86_400)))) {
      List<Row> read = rows.toList();
      assertThat(read).extracting(r -> r.getString("id")).containsExactlyInAnyOrder("a", "c");
      assertThat(read).contains(row("c", 3, 60 * 24 * 2));
    }
    try (Stream<Row> rows = source.read(TimeRange.all())) {
      assertThat(rows.toList()).containsExactlyInAnyOrderElementsOf(store.scan("trips", TimeRange.all()).toList());
    }
  }

  @Test
  void pushesTheRangeIntoTheScanAndPlansSerializableTasks() throws Exception {
    IcebergTableSource source = (IcebergTableSource) source(Map.of());
    IcebergScan all = source.scan(TimeRange.all());
    // The store partitions by day: a one-day range plans the files of that day only.
    IcebergScan lastDay = source.scan(TimeRange.of(T0.plusSeconds(2 * 86_400), T0.plusSeconds(3 * 86_400)));
    assertThat(lastDay.tasks()).hasSizeLessThan(all.tasks().size()).isNotEmpty();
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(lastDay);
    }
  }

  @Test
  void fingerprintFollowsTheSnapshotAndDefinitionRemakesTheSource() {
    DataSource source = source(Map.of());
    String before = source.fingerprint().orElseThrow();
    assertThat(source.fingerprint()).contains(before);
    store.append("trips", List.of(row("d", 5, 5)));
    assertThat(source.fingerprint().orElseThrow()).isNotEqualTo(before);
    assertThat(source.definition().orElseThrow().type()).isEqualTo("iceberg");
    DataSource again = Plugins.dataSource("iceberg", source.definition().orElseThrow().options());
    assertThat(again.read(TimeRange.all()).count()).isEqualTo(6);
  }

  @Test
  void badOptionsFailInOneLineNamingWhatIsValid() {
    assertThatThrownBy(() -> source(Map.of("table", "trip")))
        .hasMessage("data source 'iceberg': option table 'trip': no such table in namespace 'raw' of the catalog; "
            + "its tables: [trips]");
    assertThatThrownBy(() -> source(Map.of("time-column", "ts")))
        .hasMessageContaining("option time-column 'ts' is not a column of table")
        .hasMessageContaining("[id, n, amount, ok, t]");
    assertThatThrownBy(() -> source(Map.of("time-column", "n")))
        .hasMessageContaining("it must be a timestamp or timestamptz column");
    assertThatThrownBy(() -> source(Map.of("partitioning", "day")))
        .hasMessageContaining("unknown option(s) [partitioning]; valid options: catalog")
        .hasMessageContaining("table (the table's name in the namespace)");
    assertThatThrownBy(() -> source(Map.of("table", "")))
        .hasMessageContaining("missing option 'table' (the table's name in the namespace)");
    assertThatThrownBy(() -> source(Map.of("catalog", "hive")))
        .hasMessageContaining("option catalog 'hive' must be jdbc");
    assertThat(source(Map.of()).schema()).isEqualTo(SCHEMA);
  }
}
