package dev.backfill.duckdb;

import dev.backfill.duckdb.internal.PluginOptions;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.DataSourceProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Plugin type {@code parquet}: a {@link DuckDbFileSource#parquet}. Options {@code path}, {@code time-column}. */
public final class ParquetSourceProvider implements DataSourceProvider {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("path", "a Parquet file or a glob such as data/*.parquet");
    OPTIONS.put("time-column", "its event-time column, a timestamp or date");
  }

  @Override
  public String type() {
    return "parquet";
  }

  @Override
  public DataSource create(Map<String, String> options) {
    PluginOptions checked = new PluginOptions(options, OPTIONS, Set.of("path", "time-column"));
    return DuckDbFileSource.parquet(checked.required("path"), checked.required("time-column"));
  }
}
