package dev.backfill.duckdb;

import dev.backfill.duckdb.internal.PluginOptions;
import dev.backfill.spi.Transform;
import dev.backfill.spi.TransformProvider;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Plugin type {@code sql}: a {@link SqlTransform}. Options {@code query}, optional
 * {@code lookback} and {@code allow-external-access} ({@code false} by default).
 */
public final class SqlTransformProvider implements TransformProvider {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("query", "a DuckDB SELECT reading the relation source");
    OPTIONS.put("lookback", "optional, an ISO-8601 duration such as PT6H or P7D");
    OPTIONS.put("allow-external-access", "optional, true or false (default): whether the query may read files "
        + "and URLs and load extensions; only for trusted configurations");
  }

  @Override
  public String type() {
    return "sql";
  }

  @Override
  public Transform create(Map<String, String> options) {
    PluginOptions checked = new PluginOptions(options, OPTIONS, Set.of("query"));
    Duration lookback = checked.optional("lookback").map(text -> {
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("option lookback '" + text + "' is not an ISO-8601 duration; "
            + "valid forms: PT30M, PT6H, P7D", e);
      }
    }).orElse(Duration.ZERO);
    String external = checked.optional("allow-external-access").orElse("false");
    if (!external.equals("true") && !external.equals("false")) {
      throw new IllegalArgumentException("option allow-external-access '" + external + "' must be true or false");
    }
    return SqlTransform.of(checked.required("query"), lookback, Boolean.parseBoolean(external));
  }
}
