package dev.backfill.history.jdbc;

import dev.backfill.spi.JobHistory;
import dev.backfill.spi.JobHistoryProvider;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Job history type {@code jdbc}: a history on PostgreSQL that clients in many processes and
 * machines share. Options:
 * <ul>
 *   <li>{@code url} (required; {@code uri} is the same): {@code jdbc:postgresql://host:port/database}</li>
 *   <li>{@code user}, {@code password}: the login (default: the driver's, from the url)</li>
 *   <li>{@code schema}: the schema of the history's tables (default {@code public}), created when missing</li>
 *   <li>{@code lease}: how long a job stays held without a heartbeat, ISO-8601, at least
 *       {@code PT1S} (default {@code PT15S}); the engine beats at a third of it</li>
 * </ul>
 */
public final class JdbcJobHistoryProvider implements JobHistoryProvider {
  static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
  private static final Set<String> OPTIONS = new TreeSet<>(Set.of("url", "uri", "user", "password", "schema", "lease"));

  @Override
  public String type() {
    return "jdbc";
  }

  @Override
  public JobHistory create(Map<String, String> options) {
    return JdbcJobHistory.open(settings(options), true);
  }

  /** Creates no table: a database without the history's tables holds no jobs. */
  @Override
  public JobHistory openForReading(Map<String, String> options) {
    return JdbcJobHistory.open(settings(options), false);
  }

  /** The options, checked. */
  static JdbcSettings settings(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("unknown option '" + key + "' of job history type 'jdbc'; valid options: "
            + String.join(", ", OPTIONS));
      }
    }
    if (options.containsKey("url") && options.containsKey("uri")) {
      throw new IllegalArgumentException("options 'url' and 'uri' are the same option; give one of them");
    }
    String url = options.getOrDefault("url", options.get("uri"));
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("option 'url' is required: the PostgreSQL database of the history, "
          + "for example jdbc:postgresql://127.0.0.1:5432/features");
    }
    String schema = options.getOrDefault("schema", "public");
    if (!schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("option 'schema' '" + schema + "' is not a plain SQL name; use letters, "
          + "digits and underscores, starting with a letter or underscore");
    }
    Duration lease = DEFAULT_LEASE;
    if (options.containsKey("lease")) {
      try {
        lease = Duration.parse(options.get("lease"));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("option 'lease' '" + options.get("lease") + "' is not an ISO-8601 "
            + "duration; give one such as PT15S");
      }
      if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("option 'lease' " + lease + " is shorter than PT1S; a heartbeat every "
            + "third of it must outpace pauses of the process");
      }
    }
    return new JdbcSettings(PostgresUrl.parse(url), options.get("user"), options.get("password"), schema, lease);
  }
}
