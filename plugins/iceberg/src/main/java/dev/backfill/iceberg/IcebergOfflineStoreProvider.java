package dev.backfill.iceberg;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OfflineStoreProvider;
import java.util.Map;

/**
 * Plugin type {@code iceberg}: an {@link IcebergOfflineStore}. Options (see
 * {@link IcebergOptions}): {@code catalog} ({@code jdbc} or {@code hadoop}), {@code uri} (the
 * JDBC URL of a {@code jdbc} catalog), {@code warehouse}, {@code namespace} (default
 * {@code backfill}), {@code partitioning} ({@code hour}, {@code day} (default) or {@code month}).
 */
public final class IcebergOfflineStoreProvider implements OfflineStoreProvider {
  @Override
  public String type() {
    return "iceberg";
  }

  @Override
  public OfflineStore create(Map<String, String> options) {
    IcebergOfflineStore store = IcebergOfflineStore.open(IcebergOptions.parse(options));
    store.definedBy(new dev.backfill.spi.PluginDefinition(type(), options));
    return store;
  }
}
