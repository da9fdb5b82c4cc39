package dev.backfill.cli.config;

import dev.backfill.api.InvalidBackfillRequestException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The command line's configuration file (DESIGN.md section 4b): named environments and the
 * feature sets. Read with {@link #load(Path)}; every value has been checked by then.
 */
public record BackfillConfig(Path file, Map<String, EnvironmentConfig> environments,
    Map<String, FeatureSetConfig> featureSets) {

  public BackfillConfig {
    Objects.requireNonNull(file, "file");
    environments = Collections.unmodifiableMap(new LinkedHashMap<>(environments));
    featureSets = Collections.unmodifiableMap(new LinkedHashMap<>(featureSets));
  }

  /**
   * Reads and checks a configuration file.
   *
   * @throws ConfigException naming the file, the line and the key of the first problem
   */
  public static BackfillConfig load(Path file) {
    return load(file, Path.of("").toAbsolutePath());
  }

  /**
   * Reads and checks a configuration file named relative to a directory other than the process's
   * own; messages show {@code file} as given.
   */
  public static BackfillConfig load(Path file, Path relativeTo) {
    return ConfigParser.parse(relativeTo.resolve(file).toAbsolutePath().normalize(), file);
  }

  /**
   * The environment of that name.
   *
   * @throws InvalidBackfillRequestException naming the name and the environments of the file
   */
  public EnvironmentConfig environment(String name) {
    EnvironmentConfig environment = environments.get(Objects.requireNonNull(name, "name"));
    if (environment == null) {
      throw new InvalidBackfillRequestException("unknown environment '" + name + "'; environments in " + file + ": "
          + String.join(", ", environments.keySet()));
    }
    return environment;
  }

  /**
   * The feature set of that name.
   *
   * @throws InvalidBackfillRequestException naming the name and the feature sets of the file
   */
  public FeatureSetConfig featureSet(String name) {
    FeatureSetConfig featureSet = featureSets.get(Objects.requireNonNull(name, "name"));
    if (featureSet == null) {
      throw new InvalidBackfillRequestException("unknown feature set '" + name + "'; feature sets in " + file + ": "
          + (featureSets.isEmpty() ? "(none)" : String.join(", ", featureSets.keySet())));
    }
    return featureSet;
  }
}
