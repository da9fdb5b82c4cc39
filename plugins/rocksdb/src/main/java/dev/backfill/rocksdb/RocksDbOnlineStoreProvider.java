package dev.backfill.rocksdb;

import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineStoreProvider;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * Plugin type {@code rocksdb}: a {@link RocksDbOnlineStore} in a local directory. One option,
 * {@code path}, required: the directory, created if absent.
 */
public final class RocksDbOnlineStoreProvider implements OnlineStoreProvider {
  /** The option naming the store's directory. */
  public static final String PATH = "path";

  /** For {@link java.util.ServiceLoader}. */
  public RocksDbOnlineStoreProvider() {}

  /** {@code rocksdb}. */
  @Override
  public String type() {
    return "rocksdb";
  }

  /**
   * Opens the store in the directory of option {@code path}.
   *
   * @throws IllegalArgumentException naming the option for an unknown option, a missing or blank
   *     path, or a path that is an existing file
   * @throws dev.backfill.api.StoreException naming the path when another client holds its lock
   */
  @Override
  public OnlineStore create(Map<String, String> options) {
    TreeSet<String> unknown = new TreeSet<>(options.keySet());
    unknown.remove(PATH);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + unknown + "; the only option is '" + PATH
          + "' (a directory, created if absent)");
    }
    String value = options.get(PATH);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("option '" + PATH + "' is " + (value == null ? "missing" : "blank ('" + value + "')")
          + "; give a directory, created if absent, for example path=data/online");
    }
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("option '" + PATH + "' = '" + value + "' is not a valid path ("
          + e.getReason() + "); give a directory", e);
    }
    if (Files.exists(path) && !Files.isDirectory(path)) {
      throw new IllegalArgumentException("option '" + PATH + "' = '" + value + "' is an existing file, not a directory;"
          + " give a directory (created if absent)");
    }
    try {
      return RocksDbOnlineStore.open(path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option '" + PATH + "' = '" + value + "': " + e.getMessage(), e);
    }
  }
}
