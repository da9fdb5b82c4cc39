package dev.backfill.duckdb;

import dev.backfill.duckdb.internal.PluginOptions;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.DataSourceProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Plugin type {@code jdbc}: a {@link JdbcSource}. Options {@code url}, {@code query},
 * {@code time-column}, optional {@code user} and {@code password}.
 */
public final class JdbcSourceProvider implements DataSourceProvider {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("url", "a JDBC URL whose driver is on the class path");
    OPTIONS.put("query", "a SELECT");
    OPTIONS.put("time-column", "its event-time column, a timestamp or date");
    OPTIONS.put("user", "optional");
    OPTIONS.put("password", "optional");
  }

  @Override
  public String type() {
    return "jdbc";
  }

  @Override
  public DataSource create(Map<String, String> options) {
    PluginOptions checked = new PluginOptions(options, OPTIONS, Set.of("url", "query", "time-column"));
    return JdbcSource.of(checked.required("url"), checked.required("query"), checked.required("time-column"),
        checked.optional("user"), checked.optional("password"));
  }
}
