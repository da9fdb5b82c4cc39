package dev.backfill.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link IcebergBenchmarks} on small sizes and checks that the appender baseline writes the
 * rows the engine writes (a ratio means something only then). No timing.
 */
class IcebergBenchmarksSmokeTest {
  @TempDir Path dir;

  @Test
  void theAppenderBaselineWritesTheRowsOfTheEnginesReset() throws Exception {
    Path parquet = EmbeddedBenchmarks.writeEvents(dir, 5_000, 100);
    BackfillResult result = IcebergBenchmarks.engineReset(parquet, dir.resolve("engine"));
    long written = IcebergBenchmarks.appenderBaseline(parquet, dir.resolve("baseline"));

    assertThat(result.rowsWritten()).isEqualTo(5_000);
    assertThat(written).isEqualTo(5_000);
    List<String> engine = rows(dir.resolve("engine"), "backfill", "events");
    List<String> baseline = rows(dir.resolve("baseline"), "baseline", "events");
    assertThat(engine).hasSize(5_000).containsExactlyInAnyOrderElementsOf(baseline);
  }

  @Test
  void bothHarnessesRunOnSmallSizesAndPrintTheirRatios() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      IcebergBenchmarks.reset(2_000, 50, 1);
      IcebergBenchmarks.interval(500, 50, 1);
    } finally {
      System.setOut(out);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("ratio").contains("generic appender")
        .contains("60-day feature set");
  }

  private static List<String> rows(Path dir, String namespace, String table) throws Exception {
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    // A JDBC catalog's rows carry its name: the store's catalog is named backfill, the baseline's baseline.
    catalog.initialize(namespace, Map.of(CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"),
        CatalogProperties.WAREHOUSE_LOCATION, dir.resolve("warehouse").toUri().toString(), "jdbc.schema-version", "V1"));
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(catalog.loadTable(TableIdentifier.of(namespace, table)))
        .build()) {
      records.forEach(r -> rows.add(r.getField("user_id") + "|" + r.getField("ts") + "|" + r.getField("clicks") + "|"
          + r.getField("spend")));
    } finally {
      catalog.close();
    }
    return rows;
  }
}
