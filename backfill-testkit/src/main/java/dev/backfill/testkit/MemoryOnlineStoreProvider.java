package dev.backfill.testkit;

import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineStoreProvider;
import java.util.Map;

/** Plugin type {@code memory}: a new {@link InMemoryOnlineStore}. Takes no options. */
public final class MemoryOnlineStoreProvider implements OnlineStoreProvider {
  @Override
  public String type() {
    return "memory";
  }

  @Override
  public OnlineStore create(Map<String, String> options) {
    MemoryOptions.requireNone(options);
    return InMemoryOnlineStore.create();
  }
}
