package dev.backfill.duckdb;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OfflineStoreProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plugin type {@code duckdb}: a {@link DuckDbOfflineStore}. Options: {@code path}, the database
 * file (absent: in memory); {@code fast-path}, {@code true} (default) or {@code false}, whether
 * DuckDB-readable sources may skip the JVM.
 */
public final class DuckDbOfflineStoreProvider implements OfflineStoreProvider {
  private static final Set<String> OPTIONS = Set.of("path", "fast-path");

  @Override
  public String type() {
    return "duckdb";
  }

  @Override
  public OfflineStore create(Map<String, String> options) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + unknown + "; valid options: path (a database file), "
          + "fast-path (true or false)");
    }
    Optional<Path> path = Optional.ofNullable(options.get("path")).map(p -> {
      if (p.isBlank()) {
        throw new IllegalArgumentException("option path is blank; give a database file such as data/offline.duckdb, "
            + "or leave it out for a store in memory");
      }
      return Path.of(p);
    });
    String fastPath = options.getOrDefault("fast-path", "true");
    if (!fastPath.equals("true") && !fastPath.equals("false")) {
      throw new IllegalArgumentException("option fast-path '" + fastPath + "' must be true or false");
    }
    return DuckDbOfflineStore.open(path, Boolean.parseBoolean(fastPath));
  }
}
