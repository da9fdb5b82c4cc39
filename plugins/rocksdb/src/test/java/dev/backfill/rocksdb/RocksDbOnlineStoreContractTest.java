package dev.backfill.rocksdb;

import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.OnlineStoreContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The online store contract on RocksDB, opened through the plugin lookup as users do. */
class RocksDbOnlineStoreContractTest extends OnlineStoreContractTest {
  @TempDir
  Path dir;

  @Override
  protected OnlineStore createStore() {
    return Plugins.onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString()));
  }
}
