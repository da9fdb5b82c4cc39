package dev.backfill.cli;

import dev.backfill.api.StoreException;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.EnvironmentConfig;
import dev.backfill.cli.config.PluginConfig;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who holds a store that two environments of one configuration share. Each environment has its
 * own lock, so a command on one environment meets the other's command only at the shared
 * DuckDB file or RocksDB directory, whose own message names a process ({@code java (PID 4242)})
 * or none (RocksDB) and never the command. The other environment's lock file says what that
 * command is, and DuckDB's process id, when given, must be the lock holder's.
 */
final class SharedStoreHolder {
  private static final Pattern STORE_PID = Pattern.compile("\\(PID (\\d+)\\)");
  private static final Pattern HOLDER_PID = Pattern.compile("^process (\\d+) ");

  private SharedStoreHolder() {}

  /**
   * The error to report when opening {@code role} ("offline store" or "online store") of
   * {@code environment} failed with {@code failure}: the busy environment that shares the store
   * and whose command holds it, if there is one.
   */
  static Optional<EnvironmentBusyException> find(BackfillConfig config, EnvironmentConfig environment, String role,
      Function<EnvironmentConfig, PluginConfig> store, StoreException failure) {
    PluginConfig mine = store.apply(environment);
    String path = mine.options().get("path");
    if (path == null) {
      return Optional.empty();
    }
    Optional<String> storePid = firstGroup(STORE_PID, String.valueOf(failure.getMessage()));
    for (EnvironmentConfig other : config.environments().values()) {
      PluginConfig theirs = store.apply(other);
      if (other == environment || !theirs.type().equals(mine.type()) || !path.equals(theirs.options().get("path"))) {
        continue;
      }
      Optional<String> holder = other.historyDirectory().flatMap(EnvironmentLock::holder);
      if (holder.isEmpty()) {
        continue;
      }
      Optional<String> holderPid = firstGroup(HOLDER_PID, holder.get());
      if (storePid.isPresent() && holderPid.isPresent() && !Objects.equals(storePid, holderPid)) {
        continue;
      }
      return Optional.of(new EnvironmentBusyException("environment '" + environment.name() + "' shares its " + role
          + " '" + path + "' with environment '" + other.name() + "', which is in use by " + holder.get()
          + "; wait for it to finish (a " + mine.type() + " " + role + " serves one process at a time)"));
    }
    return Optional.empty();
  }

  private static Optional<String> firstGroup(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }
}
