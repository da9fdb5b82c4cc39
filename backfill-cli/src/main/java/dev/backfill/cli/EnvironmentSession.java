package dev.backfill.cli;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillException;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.StoreException;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.ConfigException;
import dev.backfill.cli.config.EnvironmentConfig;
import dev.backfill.cli.config.FeatureSetConfig;
import dev.backfill.cli.config.PluginConfig;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.List;
import java.util.Optional;

/**
 * An environment opened for one command: its lock, its stores (created through {@link Plugins},
 * so a plugin jar on the class path adds its types) and a client over them with the durable job
 * history. Opening the client finishes any job an earlier process left half done. Closing
 * closes everything, in reverse order.
 */
final class EnvironmentSession implements AutoCloseable {
  private final EnvironmentConfig environment;
  /** Empty for a shared job history: then many commands use the environment at once. */
  private final Optional<EnvironmentLock> lock;
  private final List<AutoCloseable> resources;
  private final OfflineStore offline;
  private final BackfillClient client;

  private EnvironmentSession(EnvironmentConfig environment, Optional<EnvironmentLock> lock, List<AutoCloseable> resources,
      OfflineStore offline, BackfillClient client) {
    this.environment = environment;
    this.lock = lock;
    this.resources = resources;
    this.offline = offline;
    this.client = client;
  }

  /**
   * Opens the environment of that name for a command that writes: checks that its folders are
   * writable, takes its lock, opens its stores and builds a client, which finishes (showing it)
   * any job an earlier process left half done.
   *
   * @param command the command, as messages name it ({@code backfill features drop})
   * @param owner what this command is, shown to any other command that finds the environment busy
   * @param progressInterval the period of the plain progress lines of a recovery
   */
  static EnvironmentSession open(BackfillConfig config, String environmentName, String command, String owner,
      CliContext context, Duration progressInterval) {
    EnvironmentConfig environment = config.environment(environmentName);
    environment.historyDirectory().ifPresent(directory -> requireHistoryDirectory(environment, directory));
    WritableFolders.require(environment, command);
    // A file history serves one process, so the environment's lock is in its directory; a shared
    // history settles conflicts between processes itself, job by job.
    Optional<EnvironmentLock> lock = environment.historyDirectory()
        .map(directory -> EnvironmentLock.acquire(environmentName, directory, owner));
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      OfflineStore offline = open(config, environment, "offline store", EnvironmentConfig::offlineStore,
          Plugins::offlineStore);
      resources.add(offline);
      OnlineStore online = open(config, environment, "online store", EnvironmentConfig::onlineStore, Plugins::onlineStore);
      resources.add(online);
      BackfillClient client;
      try (RecoveryDisplay recoveries = new RecoveryDisplay(context, progressInterval)) {
        BackfillClient.Builder builder = BackfillClient.builder().offlineStore(offline).onlineStore(online)
            .onRecovery(recoveries::started);
        environment.engine().ifPresent(engine -> {
          try {
            builder.engine(engine.type(), engine.options());
          } catch (IllegalArgumentException e) {
            throw new ConfigException(engine.location(), "engine '" + engine.type() + "': " + e.getMessage(), e);
          }
        });
        try {
          client = environment.jobHistory().create(builder::jobHistory).build();
        } catch (InvalidBackfillRequestException e) {
          // The history is created by build(): its bad type or option is still the configuration's, at its line.
          if (String.valueOf(e.getMessage()).startsWith("unknown job history type")
              || String.valueOf(e.getMessage()).startsWith("job history '")) {
            throw new ConfigException(environment.jobHistoryLocation(), e.getMessage(), e);
          }
          // The engine too is created by build(): its bad type or option is at its line.
          if (environment.engine().isPresent() && (String.valueOf(e.getMessage()).startsWith("unknown engine type")
              || String.valueOf(e.getMessage()).startsWith("engine '"))) {
            throw new ConfigException(environment.engine().get().location(), e.getMessage(), e);
          }
          throw e;
        }
        if (recoveries.wasInterrupted()) {
          resources.add(client);
          throw new BackfillException("interrupted while opening environment '" + environmentName + "'; nothing else "
              + "was done");
        }
      }
      return new EnvironmentSession(environment, lock, resources, offline, client);
    } catch (RuntimeException e) {
      closeAll(resources, e);
      lock.ifPresent(EnvironmentLock::close);
      throw e;
    }
  }

  /** Creates a store; one held by a command on another environment that shares it names that command. */
  private static <S> S open(BackfillConfig config, EnvironmentConfig environment, String role,
      Function<EnvironmentConfig, PluginConfig> store, BiFunction<String, Map<String, String>, S> factory) {
    try {
      return store.apply(environment).create(factory);
    } catch (StoreException e) {
      throw SharedStoreHolder.find(config, environment, role, store, e).<RuntimeException>map(busy -> busy).orElse(e);
    }
  }

  /**
   * Creates the job-history directory when missing; a path that is a file (or under one) is a
   * configuration error at the {@code job-history} key rather than a failure to lock.
   */
  private static void requireHistoryDirectory(EnvironmentConfig environment, Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (FileAlreadyExistsException e) {
      throw historyIsAFile(environment);
    } catch (IOException e) {
      throw new ConfigException(environment.jobHistoryLocation(), "cannot create the directory '" + directory + "': "
          + (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.toString())
          + "; job-history must name a directory this process can create and write");
    }
  }

  /** A {@code job-history} that names a file: a configuration error at its key. */
  static ConfigException historyIsAFile(EnvironmentConfig environment) {
    return new ConfigException(environment.jobHistoryLocation(), "'" + environment.historyDirectory().orElseThrow()
        + "' is a file; "
        + "job-history must be a directory (created when missing) for the job records and the environment's lock: "
        + "name another path");
  }

  /**
   * How the lock describes this process to a command that finds the environment busy:
   * {@code process 4242 ('backfill features list')}.
   */
  static String owner(String command) {
    return "process " + ProcessHandle.current().pid() + " ('backfill features " + command + "')";
  }

  /** {@link #owner(String)} with what the command is doing: {@code process 4242 ('backfill features backfill ...', planning)}. */
  static String owner(String command, String doing) {
    return "process " + ProcessHandle.current().pid() + " ('backfill features " + command + "', " + doing + ")";
  }

  BackfillClient client() {
    return client;
  }

  /** Whether the offline store holds a table of that name. */
  boolean hasOfflineTable(String name) {
    return offline.table(name).isPresent();
  }

  EnvironmentConfig environment() {
    return environment;
  }

  /**
   * Creates the feature set's source and transform and registers it with the client.
   *
   * @throws ConfigException at the feature set's line when a plugin refuses its options or the
   *     stores hold the feature set with another schema
   */
  FeatureSet register(FeatureSetConfig config) {
    DataSource source = config.source().create(Plugins::dataSource);
    Transform transform = config.transform().map(t -> t.create(Plugins::transform)).orElse(Transform.identity());
    return register(config, config.toFeatureSet(Optional.of(source), transform));
  }

  /**
   * Registers the feature set's columns only, without creating its source and transform: for a
   * command that reads and mends the stores and never computes rows.
   */
  FeatureSet registerColumns(FeatureSetConfig config) {
    return register(config, config.toFeatureSet(Optional.empty(), Transform.identity()));
  }

  private FeatureSet register(FeatureSetConfig config, FeatureSet featureSet) {
    try {
      client.register(featureSet);
    } catch (InvalidFeatureSetException e) {
      throw new ConfigException(config.location(), changedSchema(featureSet, e), e);
    }
    return featureSet;
  }

  /**
   * The stores hold the feature set with other columns: which changed, from what to what, and
   * the two ways on (a new name, or dropping the stored data).
   */
  private String changedSchema(FeatureSet declared, InvalidFeatureSetException e) {
    String changes = offline.table(declared.name()).map(stored -> SchemaChange.describe(stored, declared.table()))
        .filter(text -> !text.isEmpty()).orElse(e.getMessage());
    return "feature set '" + declared.name() + "' is stored in environment '" + environment.name()
        + "' with other columns than declared here: " + changes + "; the stored data keeps its columns, so give the "
        + "new definition another feature-set name, or delete the stored data (offline and online tables and job "
        + "records) with 'backfill features drop --environment " + environment.name() + " --feature-set "
        + declared.name() + "' and backfill it again";
  }

  /** Tells other commands what this one is doing now, such as the job it runs. */
  void describe(String owner) {
    lock.ifPresent(held -> held.describe(owner));
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    try {
      client.close();
    } catch (RuntimeException e) {
      failure = e;
    }
    failure = closeAll(resources, failure);
    lock.ifPresent(EnvironmentLock::close);
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException closeAll(List<AutoCloseable> resources, RuntimeException failure) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof RuntimeException r ? r : new IllegalStateException("closing " + resources.get(i) + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }
}
