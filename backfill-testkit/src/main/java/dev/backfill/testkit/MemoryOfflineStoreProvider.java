package dev.backfill.testkit;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OfflineStoreProvider;
import java.util.Map;

/** Plugin type {@code memory}: a new {@link InMemoryOfflineStore}. Takes no options. */
public final class MemoryOfflineStoreProvider implements OfflineStoreProvider {
  @Override
  public String type() {
    return "memory";
  }

  @Override
  public OfflineStore create(Map<String, String> options) {
    MemoryOptions.requireNone(options);
    return InMemoryOfflineStore.create();
  }
}
