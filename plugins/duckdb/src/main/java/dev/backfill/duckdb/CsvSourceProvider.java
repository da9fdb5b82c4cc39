package dev.backfill.duckdb;

import dev.backfill.duckdb.internal.PluginOptions;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.DataSourceProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Plugin type {@code csv}: a {@link DuckDbFileSource#csv}. Options {@code path}, {@code time-column}. */
public final class CsvSourceProvider implements DataSourceProvider {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("path", "a CSV file with a header row");
    OPTIONS.put("time-column", "its event-time column, a timestamp or date");
  }

  @Override
  public String type() {
    return "csv";
  }

  @Override
  public DataSource create(Map<String, String> options) {
    PluginOptions checked = new PluginOptions(options, OPTIONS, Set.of("path", "time-column"));
    return DuckDbFileSource.csv(Path.of(checked.required("path")), checked.required("time-column"));
  }
}
