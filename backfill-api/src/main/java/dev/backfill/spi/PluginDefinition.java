package dev.backfill.spi;

import java.util.Map;
import java.util.Objects;

/**
 * How a plugin's object was made: the type and the options that {@link Plugins} would make it
 * from again (relative paths already resolved). A distributed runner recognises a source by it
 * (Spark reads the {@code parquet}, {@code csv}, {@code jdbc} and {@code iceberg} types itself)
 * and opens a store on its executors from it.
 */
public record PluginDefinition(String type, Map<String, String> options) implements java.io.Serializable {
  public PluginDefinition {
    Objects.requireNonNull(type, "type");
    options = Map.copyOf(Objects.requireNonNull(options, "options"));
  }
}
