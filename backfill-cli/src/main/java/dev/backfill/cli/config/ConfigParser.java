package dev.backfill.cli.config;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.spi.Transform;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Turns the YAML tree of a configuration file into checked values, failing at the first problem. */
final class ConfigParser {
  private static final List<String> TOP_LEVEL = List.of("environments", "feature-sets");
  private static final List<String> ENVIRONMENT = List.of("offline-store", "online-store", "job-history");
  private static final List<String> FEATURE_SET = List.of("keys", "event-time", "features", "source", "transform",
      "backfill-start", "cluster-template");
  private static final String FIELD_TYPES = Arrays.stream(FieldType.values())
      .map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));

  private final Path folder;

  private ConfigParser(Path absoluteFile) {
    this.folder = absoluteFile.getParent();
  }

  /** Reads {@code absoluteFile}; messages name it {@code shownAs}. */
  static BackfillConfig parse(Path absoluteFile, Path shownAs) {
    YamlNode root = YamlNode.parse(absoluteFile, shownAs);
    root.requireOnly(TOP_LEVEL);
    ConfigParser parser = new ConfigParser(absoluteFile);
    YamlNode environmentsNode = root.required("environments");
    Map<String, EnvironmentConfig> environments = new LinkedHashMap<>();
    environmentsNode.entries().forEach((name, node) -> environments.put(name, parser.environment(name, node)));
    if (environments.isEmpty()) {
      throw new ConfigException(environmentsNode.location(), "no environment is defined; add one, such as 'local'");
    }
    Map<String, FeatureSetConfig> featureSets = new LinkedHashMap<>();
    root.optional("feature-sets").ifPresent(node ->
        node.entries().forEach((name, featureSet) -> featureSets.put(name, parser.featureSet(name, featureSet))));
    return new BackfillConfig(shownAs, environments, featureSets);
  }

  private EnvironmentConfig environment(String name, YamlNode node) {
    node.requireOnly(ENVIRONMENT);
    YamlNode history = node.required("job-history");
    return new EnvironmentConfig(name, plugin(node.required("offline-store")), plugin(node.required("online-store")),
        resolve(history.text()));
  }

  private FeatureSetConfig featureSet(String name, YamlNode node) {
    node.requireOnly(FEATURE_SET);
    YamlNode keysNode = node.required("keys");
    Map<String, FieldType> keys = columns(keysNode);
    if (keys.isEmpty()) {
      throw new ConfigException(keysNode.location(), "a feature set needs at least one key column, such as {id: string}");
    }
    Map<String, FieldType> features = node.optional("features").map(this::columns).orElse(Map.of());
    FeatureSetConfig config = new FeatureSetConfig(name, keys, node.required("event-time").text(), features,
        plugin(node.required("source")), node.optional("transform").map(this::plugin),
        time(node.required("backfill-start")), node.optional("cluster-template").map(ConfigParser::template)
            .orElse(ClusterTemplate.SMALL), node.location());
    // Checks the columns now (duplicates, an event time that is also a key), so that a broken
    // feature set is reported when the file is read, with its line.
    config.toFeatureSet(Optional.empty(), Transform.identity());
    return config;
  }

  private Map<String, FieldType> columns(YamlNode node) {
    Map<String, FieldType> columns = new LinkedHashMap<>();
    node.entries().forEach((column, typeNode) -> {
      String text = typeNode.text();
      try {
        columns.put(column, FieldType.valueOf(text.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(typeNode.location(), "'" + text + "' is not a column type; valid types: " + FIELD_TYPES);
      }
    });
    return columns;
  }

  private PluginConfig plugin(YamlNode node) {
    Map<String, String> options = new LinkedHashMap<>();
    String type = null;
    for (Map.Entry<String, YamlNode> entry : node.entries().entrySet()) {
      String value = entry.getValue().text();
      if (entry.getKey().equals("type")) {
        type = value;
      } else {
        options.put(entry.getKey(), entry.getKey().equals("path") ? resolve(value).toString() : value);
      }
    }
    if (type == null) {
      throw new ConfigException(node.location(), "the key 'type' is missing; name the plugin, such as {type: duckdb, path: data/offline.duckdb}");
    }
    return new PluginConfig(type, options, node.location());
  }

  private static Instant time(YamlNode node) {
    try {
      return BackfillTimes.parse(node.text());
    } catch (InvalidBackfillRequestException e) {
      throw new ConfigException(node.location(), e.getMessage(), e);
    }
  }

  private static ClusterTemplate template(YamlNode node) {
    try {
      return ClusterTemplate.parse(node.text());
    } catch (InvalidBackfillRequestException e) {
      throw new ConfigException(node.location(), e.getMessage(), e);
    }
  }

  private Path resolve(String path) {
    return folder.resolve(path).normalize();
  }
}
