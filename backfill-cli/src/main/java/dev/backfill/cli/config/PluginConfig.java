package dev.backfill.cli.config;

import dev.backfill.api.InvalidBackfillRequestException;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A store, source or transform as the configuration names it: its plugin type and its options,
 * with a relative {@code path} option already resolved against the configuration file's folder.
 */
public record PluginConfig(String type, Map<String, String> options, ConfigLocation location) {
  public PluginConfig {
    Objects.requireNonNull(type, "type");
    options = Map.copyOf(options);
    Objects.requireNonNull(location, "location");
  }

  /**
   * Creates the plugin with a factory such as {@code Plugins::offlineStore}. A plugin that refuses
   * its type or options becomes a {@link ConfigException} at this entry's line; other failures
   * (a store held by another process) pass unchanged.
   */
  public <T> T create(BiFunction<String, Map<String, String>, T> factory) {
    try {
      return factory.apply(type, options);
    } catch (InvalidBackfillRequestException | IllegalArgumentException e) {
      throw new ConfigException(location, e.getMessage(), e);
    }
  }
}
