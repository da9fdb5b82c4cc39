package dev.backfill.cli;

import dev.backfill.api.StoreException;
import dev.backfill.cli.config.EnvironmentConfig;
import dev.backfill.cli.config.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Before a command that writes opens an environment: the folders it will write must be writable,
 * else one line names the folder, instead of whichever store meets it first saying so in its own
 * words (RocksDB: "While renaming a file to .../LOG.old...: Permission denied"). The folders are
 * the job history's and those of each store's {@code path} option (a DuckDB file's folder, where
 * its write-ahead log goes, and the file; a RocksDB directory). The check asks the file system
 * ({@code access(2)}), so it sees a read-only mount and an immutable folder even as root.
 */
final class WritableFolders {
  private WritableFolders() {}

  /** @throws StoreException naming the first folder (or file) that cannot be written */
  static void require(EnvironmentConfig environment, String command) {
    String what = " (the command '" + command + "' writes there";
    environment.historyDirectory().ifPresent(directory ->
        check(directory, what + ": the job history of environment '" + environment.name() + "')"));
    checkStore(environment.offlineStore(), what + ": the offline store of environment '" + environment.name() + "')");
    checkStore(environment.onlineStore(), what + ": the online store of environment '" + environment.name() + "')");
  }

  private static void checkStore(PluginConfig store, String what) {
    Optional.ofNullable(store.options().get("path")).map(Path::of).ifPresent(path -> {
      if (Files.isRegularFile(path)) {
        check(path.toAbsolutePath().getParent(), what);
        if (!Files.isWritable(path)) {
          throw notWritable("file", path, what);
        }
      } else {
        check(path, what);
      }
    });
  }

  /** The folder, or when it does not exist yet the nearest folder above it, where it would be created. */
  private static void check(Path folder, String what) {
    Path existing = folder.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && Files.isDirectory(existing) && !Files.isWritable(existing)) {
      throw notWritable("folder", existing, what);
    }
  }

  private static StoreException notWritable(String kind, Path path, String what) {
    return new StoreException("the " + kind + " " + path + " is not writable" + what + "; make it writable, or "
        + "use a command that only reads: list, list-backfills and backfill-status read the job history alone");
  }
}
