package dev.backfill.cli.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a value comes from: the file, the line (1-based) and the dotted key path, as in
 * {@code backfill.yaml:14: feature-sets.airport_delays.keys.origin}.
 */
public record ConfigLocation(Path file, int line, String key) {
  public ConfigLocation {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(key, "key");
  }

  /** The location of a child key of this one, on the given line. */
  ConfigLocation child(String childKey, int childLine) {
    return new ConfigLocation(file, childLine, key.isEmpty() ? childKey : key + "." + childKey);
  }

  @Override
  public String toString() {
    return file + ":" + line + (key.isEmpty() ? "" : ": " + key);
  }
}
