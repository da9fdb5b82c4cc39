package dev.backfill.rocksdb;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.testkit.BackfillContractTest;
import dev.backfill.testkit.InMemoryOfflineStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The engine's replacement contract with RocksDB as the online store. */
class RocksDbBackfillContractTest extends BackfillContractTest {
  @TempDir
  Path dir;

  @Override
  protected OfflineStore createOfflineStore() {
    return InMemoryOfflineStore.create();
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return RocksDbOnlineStore.open(dir.resolve("online"));
  }
}
