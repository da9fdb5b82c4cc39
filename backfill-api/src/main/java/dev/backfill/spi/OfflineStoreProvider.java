package dev.backfill.spi;

import java.util.Map;

/**
 * Creates {@link OfflineStore} instances of one type by name, found by {@link Plugins} through
 * {@link java.util.ServiceLoader}: register the implementation in
 * {@code META-INF/services/dev.backfill.spi.OfflineStoreProvider}. Implementations need a public
 * no-argument constructor and must be thread-safe.
 */
public interface OfflineStoreProvider {
  /** The type name, unique among OfflineStore providers, for example in configuration files. */
  String type();

  /**
   * A new instance from its options (keys exact, as documented by the plugin).
   *
   * @throws IllegalArgumentException naming the option at fault and what would be valid, for a
   *     missing, unknown or bad option
   */
  OfflineStore create(Map<String, String> options);
}
