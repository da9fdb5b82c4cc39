package dev.backfill.cli.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the configuration file: {@code --config}, else {@code BACKFILL_CONFIG}, else {@code backfill.yaml} here. */
public final class ConfigFiles {
  /** The file name looked for in the working directory. */
  public static final String DEFAULT_NAME = "backfill.yaml";
  /** The environment variable that names the file. */
  public static final String ENVIRONMENT_VARIABLE = "BACKFILL_CONFIG";

  private ConfigFiles() {}

  /**
   * The configuration file to read.
   *
   * @param option the value of {@code --config}, if given
   * @param variable the value of {@code BACKFILL_CONFIG}, if set
   * @param workingDirectory where relative names are resolved and {@code backfill.yaml} is looked for
   * @throws ConfigException when the named file, or {@code backfill.yaml} when none is named, does not exist
   */
  public static Path locate(Optional<String> option, Optional<String> variable, Path workingDirectory) {
    if (option.isPresent()) {
      return existing(workingDirectory.resolve(option.get()), "--config " + option.get());
    }
    if (variable.isPresent() && !variable.get().isBlank()) {
      return existing(workingDirectory.resolve(variable.get()), ENVIRONMENT_VARIABLE + "=" + variable.get());
    }
    Path here = workingDirectory.resolve(DEFAULT_NAME);
    if (!Files.isRegularFile(here)) {
      throw new ConfigException("no configuration file: " + DEFAULT_NAME + " is not in " + workingDirectory
          + "; name one with --config FILE or " + ENVIRONMENT_VARIABLE);
    }
    return here;
  }

  private static Path existing(Path file, String namedBy) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("configuration file " + file + " (from " + namedBy + ") "
          + (Files.isDirectory(file) ? "is a directory; name a YAML file" : "does not exist"));
    }
    return file;
  }
}
