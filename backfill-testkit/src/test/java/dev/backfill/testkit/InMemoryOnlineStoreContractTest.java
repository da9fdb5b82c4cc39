package dev.backfill.testkit;

import dev.backfill.spi.OnlineStore;

class InMemoryOnlineStoreContractTest extends OnlineStoreContractTest {
  @Override
  protected OnlineStore createStore() {
    return InMemoryOnlineStore.create();
  }
}
