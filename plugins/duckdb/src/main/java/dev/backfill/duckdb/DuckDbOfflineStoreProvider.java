package dev.backfill.duckdb;

import dev.backfill.duckdb.internal.DuckDbResources;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.PluginOptions;
import dev.backfill.duckdb.internal.TemplateLimits;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OfflineStoreProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugin type {@code duckdb}: a {@link DuckDbOfflineStore}. Options: {@code path}, the database
 * file (absent: in memory); {@code fast-path}, {@code true} (default) or {@code false}, whether
 * DuckDB-readable sources may skip the JVM; {@code memory-limit} and {@code threads}, what each
 * of the process's DuckDB databases (this store's, and the session that reads sources and runs
 * sql transforms) may use. Where not given, each database has a quarter of the machine's memory
 * and one thread per processor outside backfills, and the share of the running backfill's
 * cluster template during one ({@link DuckDbResources#forTemplate}, {@link TemplateLimits}).
 */
public final class DuckDbOfflineStoreProvider implements OfflineStoreProvider {
  private static final Logger log = LoggerFactory.getLogger(DuckDbOfflineStoreProvider.class);
  private static final Map<String, String> OPTIONS = options();

  private static Map<String, String> options() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("path", "a database file");
    options.put("fast-path", "true or false");
    options.put("memory-limit", "a size such as 2GB, for each DuckDB database of the process");
    options.put("threads", "a whole number from 1, for each DuckDB database of the process");
    return options;
  }

  @Override
  public String type() {
    return "duckdb";
  }

  @Override
  public OfflineStore create(Map<String, String> options) {
    PluginOptions checked = new PluginOptions(options, OPTIONS, Set.of());
    Optional<Path> path = checked.optional("path").map(p -> {
      if (p.isBlank()) {
        throw new IllegalArgumentException("option path is blank; give a database file such as data/offline.duckdb, "
            + "or leave it out for a store in memory");
      }
      return Path.of(p);
    });
    String fastPath = checked.optional("fast-path").orElse("true");
    if (!fastPath.equals("true") && !fastPath.equals("false")) {
      throw new IllegalArgumentException("option fast-path '" + fastPath + "' must be true or false");
    }
    TemplateLimits limits = TemplateLimits.fromOptions(checked);
    if (!DuckDbSession.configure(limits)) {
      log.warn("the DuckDB session of this process is already open with {}; {} applies to the store only",
          DuckDbSession.resources(), limits.opened());
    }
    return DuckDbOfflineStore.open(path, Boolean.parseBoolean(fastPath), limits);
  }
}
