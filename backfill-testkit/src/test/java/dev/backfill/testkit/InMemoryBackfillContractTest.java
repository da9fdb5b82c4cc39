package dev.backfill.testkit;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;

/** The engine's contract on the in-memory stores. */
class InMemoryBackfillContractTest extends BackfillContractTest {
  @Override
  protected OfflineStore createOfflineStore() {
    return InMemoryOfflineStore.create();
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return InMemoryOnlineStore.create();
  }
}
