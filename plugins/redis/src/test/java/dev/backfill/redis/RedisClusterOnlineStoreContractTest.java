package dev.backfill.redis;

import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.OnlineStoreContractTest;

/** The online store contract on a three-master Redis Cluster of the test's own, opened through the plugin lookup. */
class RedisClusterOnlineStoreContractTest extends OnlineStoreContractTest {
  @Override
  protected OnlineStore createStore() {
    return Plugins.onlineStore("redis", SharedRedis.clusterOptions());
  }
}
