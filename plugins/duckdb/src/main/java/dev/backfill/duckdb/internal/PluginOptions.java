package dev.backfill.duckdb.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of one plugin instance, checked once: an unknown key or a missing required one is
 * an {@link IllegalArgumentException} that lists the valid options with what each means (the
 * plugin loader prefixes the plugin's kind and type).
 */
public final class PluginOptions {
  private final Map<String, String> options;

  /**
   * @param valid every option the plugin takes, each with a short description for messages
   * @param required the options that must be given
   */
  public PluginOptions(Map<String, String> options, Map<String, String> valid, Set<String> required) {
    this.options = Map.copyOf(options);
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(valid.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + unknown + "; valid options: " + describe(valid));
    }
    for (String key : new LinkedHashMap<>(valid).keySet()) {
      if (required.contains(key) && (!options.containsKey(key) || options.get(key).isBlank())) {
        throw new IllegalArgumentException("missing option '" + key + "' (" + valid.get(key) + "); valid options: "
            + describe(valid));
      }
    }
  }

  private static String describe(Map<String, String> valid) {
    StringBuilder text = new StringBuilder();
    valid.forEach((key, meaning) -> text.append(text.length() == 0 ? "" : ", ").append(key).append(" (").append(meaning).append(')'));
    return text.toString();
  }

  /** A required option's value. */
  public String required(String key) {
    return options.get(key);
  }

  /** An optional option's value. */
  public Optional<String> optional(String key) {
    return Optional.ofNullable(options.get(key));
  }
}
