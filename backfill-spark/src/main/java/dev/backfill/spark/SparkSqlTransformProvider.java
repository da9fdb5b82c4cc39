package dev.backfill.spark;

import dev.backfill.spi.Transform;
import dev.backfill.spi.TransformProvider;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Type {@code spark-sql}: options {@code query} (over the view {@code source}), optional {@code lookback}. */
public final class SparkSqlTransformProvider implements TransformProvider {
  private static final Set<String> OPTIONS = Set.of("query", "lookback");

  @Override
  public String type() {
    return "spark-sql";
  }

  @Override
  public Transform create(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("unknown option '" + key + "'; options: " + new TreeSet<>(OPTIONS));
      }
    }
    String query = options.get("query");
    if (query == null) {
      throw new IllegalArgumentException("option query is required: a Spark SQL query over the view 'source'");
    }
    Duration lookback = Duration.ZERO;
    if (options.containsKey("lookback")) {
      try {
        lookback = Duration.parse(options.get("lookback"));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("option lookback '" + options.get("lookback") + "' is not an ISO-8601 "
            + "duration; write e.g. PT1H or P7D", e);
      }
    }
    return new SparkSqlTransform(query, lookback);
  }
}
