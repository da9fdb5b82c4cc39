package dev.backfill.iceberg;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.OfflineStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

class IcebergPostgresOfflineStoreContractTest extends OfflineStoreContractTest {
  private static final PostgresCatalog CATALOG = new PostgresCatalog();
  @TempDir Path dir;

  @AfterAll
  static void dropCatalog() {
    CATALOG.close();
  }

  @Override
  protected OfflineStore createStore() {
    return Plugins.offlineStore("iceberg", CATALOG.freshStore(dir.resolve("warehouse")));
  }
}
