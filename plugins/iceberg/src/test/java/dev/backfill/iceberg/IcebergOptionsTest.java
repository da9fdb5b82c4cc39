package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.spi.Plugins;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.PartitionField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options of plugin type {@code iceberg}: one-line errors naming the option and what is valid. */
class IcebergOptionsTest {
  @TempDir Path dir;

  private static String error(Map<String, String> options) {
    try {
      Plugins.offlineStore("iceberg", options);
    } catch (RuntimeException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("options " + options + " were accepted");
  }

  @Test
  void badOptionsAreOneLineErrorsNamingTheOptionAndWhatIsValid() {
    String warehouse = dir.resolve("w").toString();
    assertThat(error(Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:x.db", "warehouse", warehouse, "colour", "red")))
        .contains("unknown option(s) [colour]").contains("valid options: catalog");
    assertThat(error(Map.of("uri", "jdbc:sqlite:x.db", "warehouse", warehouse))).contains("missing option 'catalog'");
    assertThat(error(Map.of("catalog", "hive", "warehouse", warehouse))).contains("option catalog 'hive' must be jdbc")
        .contains("hadoop").contains("one writer only");
    assertThat(error(Map.of("catalog", "jdbc", "warehouse", warehouse))).contains("missing option 'uri'");
    assertThat(error(Map.of("catalog", "jdbc", "uri", "jdbc:mysql://db/x", "warehouse", warehouse)))
        .contains("option uri 'jdbc:mysql://db/x' must be a PostgreSQL or SQLite JDBC URL");
    assertThat(error(Map.of("catalog", "hadoop", "uri", "jdbc:sqlite:x.db", "warehouse", warehouse)))
        .contains("option uri is for catalog jdbc");
    assertThat(error(Map.of("catalog", "hadoop"))).contains("missing option 'warehouse'");
    assertThat(error(Map.of("catalog", "hadoop", "warehouse", warehouse, "partitioning", "week")))
        .contains("option partitioning 'week' must be hour, day or month");
    assertThat(error(Map.of("catalog", "hadoop", "warehouse", warehouse, "namespace", "a.b")))
        .contains("option namespace 'a.b'");
  }

  @Test
  void partitioningFollowsTheOptionAndAnotherProcessReadsTheSpecFromTheTable() {
    for (String partitioning : new String[] {"hour", "day", "month"}) {
      Map<String, String> options = Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve(partitioning + ".db"),
          "warehouse", dir.resolve(partitioning).toString(), "partitioning", partitioning);
      try (IcebergOfflineStore store = IcebergOfflineStore.open(IcebergOptions.parse(options))) {
        store.createTable(IcebergReplacementTest.SPEC);
        PartitionField field = store.icebergTable("clicks").spec().fields().get(0);
        assertThat(field.transform().toString()).isEqualTo(partitioning);
      }
      try (IcebergOfflineStore other = IcebergOfflineStore.open(IcebergOptions.parse(options))) {
        assertThat(other.table("clicks")).contains(IcebergReplacementTest.SPEC);
      }
    }
  }
}
