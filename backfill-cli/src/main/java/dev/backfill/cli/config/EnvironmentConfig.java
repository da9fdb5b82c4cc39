package dev.backfill.cli.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A named environment: where its offline store, online store and job history are.
 *
 * @param jobHistoryLocation the {@code job-history} key, where an unusable directory is reported
 */
public record EnvironmentConfig(String name, PluginConfig offlineStore, PluginConfig onlineStore, Path jobHistory,
    ConfigLocation jobHistoryLocation) {
  public EnvironmentConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(offlineStore, "offlineStore");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(jobHistory, "jobHistory");
    Objects.requireNonNull(jobHistoryLocation, "jobHistoryLocation");
  }
}
