package dev.backfill.iceberg;

import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.BackfillContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

class IcebergPostgresBackfillContractTest extends BackfillContractTest {
  private static final PostgresCatalog CATALOG = new PostgresCatalog();
  @TempDir Path dir;

  @AfterAll
  static void dropCatalog() {
    CATALOG.close();
  }

  @Override
  protected OfflineStore createOfflineStore() {
    return Plugins.offlineStore("iceberg", CATALOG.freshStore(dir.resolve("warehouse")));
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return RocksDbOnlineStore.open(dir.resolve("online"));
  }
}
