package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.duckdb.internal.DuckDbResources;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Plugins;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options memory-limit and threads of the duckdb store, and their defaults. */
class DuckDbResourcesTest {
  @TempDir Path dir;

  @Test
  void theOptionsSetTheStoresDatabase() throws Exception {
    // Values that slow no other test of this JVM should they reach a session not yet opened.
    int threads = Runtime.getRuntime().availableProcessors() + 1;
    try (OfflineStore store = Plugins.offlineStore("duckdb", Map.of("path", dir.resolve("o.duckdb").toString(),
        "memory-limit", "3GiB", "threads", Integer.toString(threads)))) {
      try (DuckDBConnection c = ((DuckDbOfflineStore) store).connection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT current_setting('memory_limit'), current_setting('threads')")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("3.0 GiB");
        assertThat(rs.getLong(2)).isEqualTo(threads);
      }
    }
  }

  @Test
  void theDefaultsFollowTheMachine() throws Exception {
    DuckDbResources defaults = DuckDbResources.machineDefaults();
    long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    assertThat(defaults.memoryLimitBytes()).isEqualTo(physical / 4);
    assertThat(defaults.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    try (DuckDbOfflineStore store = DuckDbOfflineStore.inMemory();
         DuckDBConnection c = store.connection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('threads')")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(defaults.threads());
    }
    try (DuckDBConnection c = DuckDbSession.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('threads')")) {
      rs.next();
      assertThat(rs.getLong(1)).as("the session, opened with the settings of this process").isEqualTo(DuckDbSession.resources().threads());
    }
  }

  @Test
  void badValuesAreRefusedNamingTheOptionAndTheValidFormsAndNoFileIsCreated() {
    Path file = dir.resolve("bad.duckdb");
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("path", file.toString(), "memory-limit", "lots")))
        .hasMessageContaining("option memory-limit 'lots' is not a size").hasMessageContaining("512MB");
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("path", file.toString(), "memory-limit", "10MB")))
        .hasMessageContaining("option memory-limit '10MB' is below").hasMessageContaining("64MiB");
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("path", file.toString(), "threads", "0")))
        .hasMessageContaining("option threads '0' must be a whole number from 1");
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("path", file.toString(), "threads", "two")))
        .hasMessageContaining("option threads 'two'");
    assertThatThrownBy(() -> Plugins.offlineStore("duckdb", Map.of("path", file.toString(), "memory", "1GB")))
        .hasMessageContaining("unknown option(s) [memory]").hasMessageContaining("memory-limit");
    assertThat(Files.exists(file)).isFalse();
  }
}
