package dev.backfill.spark;

import dev.backfill.api.ClusterTemplate;
import java.util.HashMap;
import java.util.Map;

/** The checked options of the {@code spark} engine ({@link SparkRunnerProvider}). */
record SparkOptions(String master, String appName, Map<String, String> settings) {
  static final String KNOWN = "master, app-name, cluster-template, spark.*";

  /**
   * @throws IllegalArgumentException naming an unknown option or a bad template, with the valid ones
   */
  static SparkOptions parse(Map<String, String> options) {
    String master = "local[*]";
    String appName = "backfill";
    ClusterTemplate template = ClusterTemplate.SMALL;
    Map<String, String> spark = new HashMap<>();
    for (Map.Entry<String, String> option : options.entrySet()) {
      String key = option.getKey();
      String value = option.getValue();
      switch (key) {
        case "master" -> master = nonBlank(key, value);
        case "app-name" -> appName = nonBlank(key, value);
        case "cluster-template" -> {
          try {
            template = ClusterTemplate.parse(value);
          } catch (RuntimeException e) {
            throw new IllegalArgumentException("option cluster-template: " + e.getMessage(), e);
          }
        }
        default -> {
          if (!key.startsWith("spark.")) {
            throw new IllegalArgumentException("unknown option '" + key + "'; options: " + KNOWN);
          }
          spark.put(key, value);
        }
      }
    }
    Map<String, String> settings = new HashMap<>(ClusterResources.of(template).settings());
    settings.putAll(spark);
    return new SparkOptions(master, appName, Map.copyOf(settings));
  }

  private static String nonBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("option " + key + " is blank; e.g. master: local[2] or spark://host:7077");
    }
    return value;
  }
}
