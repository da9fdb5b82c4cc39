package dev.backfill.iceberg;

import dev.backfill.spi.DataSource;
import dev.backfill.spi.DataSourceProvider;
import dev.backfill.spi.PluginDefinition;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Source type {@code iceberg}: an {@link IcebergTableSource}. Options {@code catalog},
 * {@code uri}, {@code warehouse} and {@code namespace} as the Iceberg offline store's (see
 * {@link IcebergOptions}), {@code table} (the table's name in the namespace) and
 * {@code time-column} (its timestamp or timestamptz event-time column).
 */
public final class IcebergSourceProvider implements DataSourceProvider {
  private static final Map<String, String> VALID = new LinkedHashMap<>();

  static {
    VALID.putAll(IcebergOptions.valid());
    // The source reads a table as it is partitioned.
    VALID.remove("partitioning");
    VALID.put("namespace", "the Iceberg namespace of the table, default 'backfill'");
    VALID.put("table", "the table's name in the namespace");
    VALID.put("time-column", "its event-time column, a timestamp or timestamptz");
  }

  @Override
  public String type() {
    return "iceberg";
  }

  @Override
  public DataSource create(Map<String, String> options) {
    Map<String, String> catalogOptions = new LinkedHashMap<>(options);
    catalogOptions.remove("table");
    catalogOptions.remove("time-column");
    IcebergOptions parsed = IcebergOptions.parse(catalogOptions, VALID);
    String table = IcebergOptions.required(options, "table", VALID);
    String timeColumn = IcebergOptions.required(options, "time-column", VALID);
    return new IcebergTableSource(parsed, table, timeColumn, new PluginDefinition(type(), options));
  }
}
