package dev.backfill.redis;

import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.OnlineStoreContractTest;

/** The online store contract on a standalone Redis server of the test's own, opened through the plugin lookup. */
class RedisSingleOnlineStoreContractTest extends OnlineStoreContractTest {
  @Override
  protected OnlineStore createStore() {
    return Plugins.onlineStore("redis", SharedRedis.singleOptions());
  }
}
