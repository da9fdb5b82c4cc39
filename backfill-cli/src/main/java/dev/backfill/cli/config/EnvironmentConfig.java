package dev.backfill.cli.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A named environment: where its offline store, online store and job history are.
 *
 * @param jobHistory the job history as a plugin: type {@code file} (option {@code path}, resolved)
 *     for a path, or the type the configuration names, such as {@code jdbc}
 * @param jobHistoryLocation the {@code job-history} key, where an unusable directory is reported
 * @param engine the {@code engine} entry ({@code {type: spark, master: ...}}); empty: in-process
 */
public record EnvironmentConfig(String name, PluginConfig offlineStore, PluginConfig onlineStore,
    PluginConfig jobHistory, ConfigLocation jobHistoryLocation, Optional<PluginConfig> engine) {
  public EnvironmentConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(offlineStore, "offlineStore");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(jobHistory, "jobHistory");
    Objects.requireNonNull(jobHistoryLocation, "jobHistoryLocation");
    Objects.requireNonNull(engine, "engine");
  }

  /**
   * The directory of a {@code file} job history, which also holds the environment's lock; empty
   * for a shared history (such as {@code jdbc}), which many commands use at once.
   */
  public Optional<Path> historyDirectory() {
    return jobHistory.type().equals("file") ? Optional.ofNullable(jobHistory.options().get("path")).map(Path::of)
        : Optional.empty();
  }
}
