package dev.backfill.redis;

import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineStoreProvider;
import java.util.Map;

/**
 * Plugin type {@code redis}: a {@link RedisOnlineStore} on a Redis server or Redis Cluster. Options
 * (keys exact): {@code uri} (required), {@code password-env}, {@code cluster}, {@code namespace},
 * {@code batch-size}, {@code timeout}; see {@link RedisOptions}.
 */
public final class RedisOnlineStoreProvider implements OnlineStoreProvider {
  /** For {@link java.util.ServiceLoader}. */
  public RedisOnlineStoreProvider() {}

  /** {@code redis}. */
  @Override
  public String type() {
    return "redis";
  }

  /**
   * Connects to the server of the options.
   *
   * @throws IllegalArgumentException naming the option for an unknown, missing or bad option
   * @throws dev.backfill.api.StoreException naming the servers when they cannot be used
   */
  @Override
  public OnlineStore create(Map<String, String> options) {
    RedisOnlineStore store = RedisOnlineStore.open(RedisOptions.parse(options, System::getenv));
    store.definedBy(new dev.backfill.spi.PluginDefinition(type(), options));
    return store;
  }
}
