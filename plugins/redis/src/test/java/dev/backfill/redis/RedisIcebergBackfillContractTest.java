package dev.backfill.redis;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.BackfillContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's replacement contract on the scale-out pair: Iceberg offline (a JDBC catalog in
 * SQLite, a local warehouse) and a standalone Redis server online.
 */
class RedisIcebergBackfillContractTest extends BackfillContractTest {
  @TempDir
  Path dir;

  @Override
  protected OfflineStore createOfflineStore() {
    return Plugins.offlineStore("iceberg", Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "warehouse", dir.resolve("warehouse").toString()));
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return Plugins.onlineStore("redis", SharedRedis.singleOptions());
  }
}
