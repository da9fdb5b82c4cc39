package dev.backfill.cli.config;

import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A feature set as the configuration declares it. Its columns were checked when the file was
 * read; its source and transform are only created when a command needs them, so that a missing
 * data file of one feature set does not stop commands on the others.
 */
public record FeatureSetConfig(String name, Map<String, FieldType> keys, String eventTime,
    Map<String, FieldType> features, PluginConfig source, Optional<PluginConfig> transform,
    Instant backfillStart, ClusterTemplate clusterTemplate, ConfigLocation location) {

  public FeatureSetConfig {
    Objects.requireNonNull(name, "name");
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    Objects.requireNonNull(eventTime, "eventTime");
    features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(transform, "transform");
    Objects.requireNonNull(backfillStart, "backfillStart");
    Objects.requireNonNull(clusterTemplate, "clusterTemplate");
    Objects.requireNonNull(location, "location");
  }

  /**
   * The feature set with the given source and transform.
   *
   * @throws ConfigException at this feature set's line when its columns do not make a feature set
   */
  public FeatureSet toFeatureSet(Optional<DataSource> dataSource, Transform rowTransform) {
    FeatureSet.Builder builder = FeatureSet.builder(name);
    keys.forEach(builder::key);
    builder.eventTime(eventTime);
    features.forEach(builder::feature);
    dataSource.ifPresent(builder::source);
    try {
      return builder.transform(rowTransform).backfillStart(backfillStart).clusterTemplate(clusterTemplate).build();
    } catch (InvalidFeatureSetException | IllegalArgumentException e) {
      throw new ConfigException(location, e.getMessage(), e);
    }
  }
}
