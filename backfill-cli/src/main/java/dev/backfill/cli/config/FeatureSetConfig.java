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
import java.util.function.Supplier;

/**
 * A feature set as the configuration declares it. Its columns were checked when the file was
 * read; its source and transform are only created when a command needs them, so that a missing
 * data file of one feature set does not stop commands on the others.
 *
 * @param location the feature set's entry, where errors about the whole feature set point
 * @param eventTimeLocation the {@code event-time} key
 * @param columnLocations each key and feature column's entry, by column name
 */
public record FeatureSetConfig(String name, Map<String, FieldType> keys, String eventTime,
    Map<String, FieldType> features, PluginConfig source, Optional<PluginConfig> transform,
    Instant backfillStart, ClusterTemplate clusterTemplate, ConfigLocation location,
    ConfigLocation eventTimeLocation, Map<String, ConfigLocation> columnLocations) {

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
    Objects.requireNonNull(eventTimeLocation, "eventTimeLocation");
    columnLocations = Map.copyOf(columnLocations);
  }

  /**
   * The feature set with the given source and transform.
   *
   * @throws ConfigException when its name or columns do not make a feature set, at the line of
   *     the name or column at fault
   */
  public FeatureSet toFeatureSet(Optional<DataSource> dataSource, Transform rowTransform) {
    FeatureSet.Builder builder = at(location, () -> FeatureSet.builder(name));
    keys.forEach((column, type) -> at(columnLocation(column), () -> builder.key(column, type)));
    at(eventTimeLocation, () -> builder.eventTime(eventTime));
    features.forEach((column, type) -> at(columnLocation(column), () -> builder.feature(column, type)));
    dataSource.ifPresent(builder::source);
    return at(location, () -> builder.transform(rowTransform).backfillStart(backfillStart)
        .clusterTemplate(clusterTemplate).build());
  }

  private ConfigLocation columnLocation(String column) {
    return columnLocations.getOrDefault(column, location);
  }

  private static <T> T at(ConfigLocation where, Supplier<T> step) {
    try {
      return step.get();
    } catch (InvalidFeatureSetException | IllegalArgumentException e) {
      throw new ConfigException(where, e.getMessage(), e);
    }
  }
}
