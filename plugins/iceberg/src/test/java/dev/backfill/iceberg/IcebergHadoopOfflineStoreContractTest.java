package dev.backfill.iceberg;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.OfflineStoreContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class IcebergHadoopOfflineStoreContractTest extends OfflineStoreContractTest {
  @TempDir Path dir;

  @Override
  protected OfflineStore createStore() {
    return Plugins.offlineStore("iceberg", Map.of("catalog", "hadoop", "warehouse", dir.resolve("warehouse").toString()));
  }
}
