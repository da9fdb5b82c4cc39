package dev.backfill.redis;

import dev.backfill.duckdb.DuckDbOfflineStore;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.BackfillContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The engine's replacement contract with DuckDB offline and a three-master Redis Cluster online. */
class RedisClusterBackfillContractTest extends BackfillContractTest {
  @TempDir
  Path dir;

  @Override
  protected OfflineStore createOfflineStore() {
    return DuckDbOfflineStore.open(dir.resolve("offline.duckdb"));
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return Plugins.onlineStore("redis", SharedRedis.clusterOptions());
  }
}
