package dev.backfill.iceberg;

import dev.backfill.rocksdb.RocksDbOnlineStore;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.BackfillContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class IcebergHadoopBackfillContractTest extends BackfillContractTest {
  @TempDir Path dir;

  @Override
  protected OfflineStore createOfflineStore() {
    return Plugins.offlineStore("iceberg", Map.of("catalog", "hadoop", "warehouse", dir.resolve("warehouse").toString()));
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return RocksDbOnlineStore.open(dir.resolve("online"));
  }
}
