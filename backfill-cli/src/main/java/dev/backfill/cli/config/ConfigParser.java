package dev.backfill.cli.config;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.spi.DataSourceProvider;
import dev.backfill.spi.JobHistoryProvider;
import dev.backfill.spi.OfflineStoreProvider;
import dev.backfill.spi.OnlineStoreProvider;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import dev.backfill.spi.TransformProvider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Turns the YAML tree of a configuration file into checked values, failing at the first problem. */
final class ConfigParser {
  private static final List<String> TOP_LEVEL = List.of("environments", "feature-sets");
  private static final List<String> ENVIRONMENT = List.of("engine", "offline-store", "online-store", "job-history");
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
    Map<String, FeatureSetConfig> byLowerCase = new LinkedHashMap<>();
    root.optional("feature-sets").ifPresent(node -> node.entries().forEach((name, featureSetNode) -> {
      FeatureSetConfig featureSet = parser.featureSet(name, featureSetNode);
      FeatureSetConfig sameButCase = byLowerCase.putIfAbsent(name.toLowerCase(Locale.ROOT), featureSet);
      if (sameButCase != null) {
        throw new ConfigException(featureSet.location(), "feature set '" + name + "' differs from feature set '"
            + sameButCase.name() + "' (line " + sameButCase.location().line() + ") only in case; the stores name a "
            + "feature set's tables without regard to case (DuckDB), so rename one of them");
      }
      featureSets.put(name, featureSet);
    }));
    return new BackfillConfig(shownAs, environments, featureSets);
  }

  private EnvironmentConfig environment(String name, YamlNode node) {
    node.requireOnly(ENVIRONMENT);
    YamlNode history = node.required("job-history");
    // A path is a file history, as before histories were plugins; a mapping names a type.
    PluginConfig jobHistory = history.kind() == YamlNode.Kind.MAPPING ? plugin(history, PluginKind.JOB_HISTORY)
        : new PluginConfig("file", Map.of("path", resolve(history.text()).toString()), history.location());
    if (jobHistory.type().equals("file") && !jobHistory.options().containsKey("path")) {
      throw new ConfigException(history.location(), "a job history of type file needs its 'path', the directory of "
          + "the job records, such as {type: file, path: data/jobs}");
    }
    return new EnvironmentConfig(name, plugin(node.required("offline-store"), PluginKind.OFFLINE_STORE),
        plugin(node.required("online-store"), PluginKind.ONLINE_STORE), jobHistory, history.location(),
        node.optional("engine").map(e -> plugin(e, PluginKind.ENGINE)));
  }

  private FeatureSetConfig featureSet(String name, YamlNode node) {
    node.requireOnly(FEATURE_SET);
    Map<String, ConfigLocation> columnLocations = new LinkedHashMap<>();
    YamlNode keysNode = node.required("keys");
    Map<String, FieldType> keys = columns(keysNode, columnLocations);
    if (keys.isEmpty()) {
      throw new ConfigException(keysNode.location(), "a feature set needs at least one key column, such as {id: string}");
    }
    Map<String, FieldType> features = node.optional("features").map(f -> columns(f, columnLocations)).orElse(Map.of());
    YamlNode eventTime = node.required("event-time");
    FeatureSetConfig config = new FeatureSetConfig(name, keys, eventTime.text(), features,
        plugin(node.required("source"), PluginKind.SOURCE), node.optional("transform").map(t -> plugin(t, PluginKind.TRANSFORM)),
        time(node.required("backfill-start")), node.optional("cluster-template").map(ConfigParser::template)
            .orElse(ClusterTemplate.SMALL), node.location(), eventTime.location(), columnLocations);
    // Checks the name and columns now (their form, duplicates, an event time that is also a
    // key), so that a broken feature set is reported when the file is read, with the line.
    config.toFeatureSet(Optional.empty(), Transform.identity());
    return config;
  }

  private Map<String, FieldType> columns(YamlNode node, Map<String, ConfigLocation> locations) {
    Map<String, FieldType> columns = new LinkedHashMap<>();
    node.entries().forEach((column, typeNode) -> {
      String text = typeNode.text();
      try {
        columns.put(column, FieldType.valueOf(text.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(typeNode.location(), "'" + text + "' is not a column type; valid types: " + FIELD_TYPES);
      }
      locations.putIfAbsent(column, typeNode.location());
    });
    return columns;
  }

  /** What an entry of a store, a source or a transform is, for the example of a missing type. */
  private enum PluginKind {
    OFFLINE_STORE("an offline store", "{type: duckdb, path: data/offline.duckdb}",
        () -> Plugins.providers(OfflineStoreProvider.class, OfflineStoreProvider::type).keySet()),
    ONLINE_STORE("an online store", "{type: rocksdb, path: data/online}",
        () -> Plugins.providers(OnlineStoreProvider.class, OnlineStoreProvider::type).keySet()),
    SOURCE("a source", "{type: parquet, path: data/events.parquet, time-column: ts}",
        () -> Plugins.providers(DataSourceProvider.class, DataSourceProvider::type).keySet()),
    TRANSFORM("a transform", "{type: sql, query: \"SELECT * FROM source\"}",
        () -> Plugins.providers(TransformProvider.class, TransformProvider::type).keySet()),
    ENGINE("an engine", "{type: spark, master: \"local[2]\"} (default: in-process)",
        () -> {
          java.util.Set<String> types = new java.util.TreeSet<>(
              Plugins.providers(dev.backfill.spi.RunnerProvider.class, dev.backfill.spi.RunnerProvider::type).keySet());
          types.add("in-process");
          return types;
        }),
    JOB_HISTORY("a job history", "{type: jdbc, url: \"jdbc:postgresql://db:5432/features\"} or a directory path",
        () -> Plugins.providers(JobHistoryProvider.class, JobHistoryProvider::type).keySet());

    private final String what;
    private final String example;
    private final Supplier<java.util.Set<String>> types;

    PluginKind(String what, String example, Supplier<java.util.Set<String>> types) {
      this.what = what;
      this.example = example;
      this.types = types;
    }

    String missingType() {
      return "the key 'type' is missing; name " + what + "'s plugin, such as " + example + " (types on the class path: "
          + String.join(", ", types.get()) + ")";
    }
  }

  private PluginConfig plugin(YamlNode node, PluginKind kind) {
    Map<String, String> options = new LinkedHashMap<>();
    String type = null;
    for (Map.Entry<String, YamlNode> entry : node.entries().entrySet()) {
      String value = entry.getValue().text();
      if (entry.getKey().equals("type")) {
        type = value;
      } else {
        options.put(entry.getKey(), resolvedOption(entry.getKey(), value));
      }
    }
    if (type == null) {
      throw new ConfigException(node.location(), kind.missingType());
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

  /**
   * Paths in options resolve against the file's folder: {@code path}, a {@code warehouse} without
   * a URI scheme (Iceberg), and the file of a {@code jdbc:sqlite:} catalog {@code uri}.
   */
  private String resolvedOption(String key, String value) {
    boolean hasScheme = value.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
    if (key.equals("path") || (key.equals("warehouse") && !hasScheme)) {
      return resolve(value).toString();
    }
    if (key.equals("uri") && value.startsWith("jdbc:sqlite:") && !value.startsWith("jdbc:sqlite::memory:")) {
      return "jdbc:sqlite:" + resolve(value.substring("jdbc:sqlite:".length()));
    }
    return value;
  }

  private Path resolve(String path) {
    return folder.resolve(path).normalize();
  }
}
