package dev.backfill.spi;

import java.util.Map;
import java.util.Objects;

/**
 * How a data source was made by its plugin: the type and the options that
 * {@link Plugins#dataSource} would make it from again (relative paths already resolved). A
 * runner that reads sources with its own reader (Spark reads the {@code parquet}, {@code csv},
 * {@code jdbc} and {@code iceberg} types itself) recognises a source by it.
 */
public record SourceDefinition(String type, Map<String, String> options) {
  public SourceDefinition {
    Objects.requireNonNull(type, "type");
    options = Map.copyOf(Objects.requireNonNull(options, "options"));
  }
}
