package dev.backfill.core;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.spi.JobHistory;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Runner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Collects a client's configuration; stores named by type are created at {@link #build()}. */
final class DefaultClientBuilder implements BackfillClient.Builder {
  private Supplier<OfflineStore> offline;
  private boolean offlineOwned;
  private Supplier<OnlineStore> online;
  private boolean onlineOwned;
  private Supplier<JobHistory> jobHistory = InMemoryJobHistory::new;
  /** Null: in-process. */
  private Supplier<Runner> runner;
  private Clock clock = Clock.systemUTC();
  private Duration closeTimeout = DefaultBackfillClient.CLOSE_WAIT;
  private Consumer<BackfillJob> recoveryListener = job -> { };

  @Override
  public BackfillClient.Builder offlineStore(OfflineStore store) {
    Objects.requireNonNull(store, "store");
    this.offline = () -> store;
    this.offlineOwned = false;
    return this;
  }

  @Override
  public BackfillClient.Builder offlineStore(String type, Map<String, String> options) {
    Objects.requireNonNull(type, "type");
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(options, "options"));
    this.offline = () -> Plugins.offlineStore(type, copy);
    this.offlineOwned = true;
    return this;
  }

  @Override
  public BackfillClient.Builder onlineStore(OnlineStore store) {
    Objects.requireNonNull(store, "store");
    this.online = () -> store;
    this.onlineOwned = false;
    return this;
  }

  @Override
  public BackfillClient.Builder onlineStore(String type, Map<String, String> options) {
    Objects.requireNonNull(type, "type");
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(options, "options"));
    this.online = () -> Plugins.onlineStore(type, copy);
    this.onlineOwned = true;
    return this;
  }

  @Override
  public BackfillClient.Builder jobHistory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    this.jobHistory = () -> new FileJobHistory(directory);
    return this;
  }

  @Override
  public BackfillClient.Builder jobHistory(String type, Map<String, String> options) {
    Objects.requireNonNull(type, "type");
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(options, "options"));
    this.jobHistory = () -> Plugins.jobHistory(type, copy);
    return this;
  }

  @Override
  public BackfillClient.Builder engine(String type, Map<String, String> options) {
    Objects.requireNonNull(type, "type");
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(options, "options"));
    if (type.equals(IN_PROCESS)) {
      if (!copy.isEmpty()) {
        throw new IllegalArgumentException("engine '" + IN_PROCESS + "' takes no options; got " + copy.keySet());
      }
      this.runner = null;
    } else {
      this.runner = () -> Plugins.runner(type, copy);
    }
    return this;
  }

  /** The engine type of the client's own threads, the default. */
  static final String IN_PROCESS = "in-process";

  @Override
  public BackfillClient.Builder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  @Override
  public BackfillClient.Builder closeTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout " + timeout + " is negative; give zero or more, e.g. PT30S");
    }
    this.closeTimeout = timeout;
    return this;
  }

  @Override
  public BackfillClient.Builder onRecovery(Consumer<BackfillJob> listener) {
    this.recoveryListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  @Override
  public BackfillClient build() {
    if (offline == null) {
      throw new IllegalStateException("BackfillClient.Builder: no offline store; call offlineStore(store) "
          + "or offlineStore(type, options), for example type \"duckdb\" or \"memory\"");
    }
    if (online == null) {
      throw new IllegalStateException("BackfillClient.Builder: no online store; call onlineStore(store) "
          + "or onlineStore(type, options), for example type \"rocksdb\" or \"memory\"");
    }
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      OfflineStore offlineStore = offline.get();
      if (offlineOwned) {
        owned.add(offlineStore);
      }
      OnlineStore onlineStore = online.get();
      if (onlineOwned) {
        owned.add(onlineStore);
      }
      Runner chosen = runner == null ? null : runner.get();
      if (chosen != null) {
        owned.add(chosen);
      }
      JobHistory history = jobHistory.get();
      owned.add(0, history);
      DefaultBackfillClient client = new DefaultBackfillClient(offlineStore, onlineStore,
          List.copyOf(owned.subList(1, owned.size())), history, clock, closeTimeout, recoveryListener,
          java.util.Optional.ofNullable(chosen));
      return client;
    } catch (RuntimeException e) {
      for (AutoCloseable resource : owned) {
        try {
          resource.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof JobRecovery.Interrupted) {
        // The interrupt was consumed to record the recovery's progress and to close the history
        // (an interrupted thread cannot use a file channel); the caller still learns of it.
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }
}
