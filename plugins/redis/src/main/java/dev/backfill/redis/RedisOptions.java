package dev.backfill.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of plugin type {@code redis}, checked: where the server is, how to log in, whether
 * it is a cluster, the key prefix, the pipeline batch size and the command timeout.
 *
 * @param uris one URI, or for a cluster its seed nodes; each carries host, port, database, TLS
 *     ({@code rediss://}), user and password, the password of {@code password-env} included
 * @param cluster whether the URIs are seed nodes of a Redis Cluster
 * @param namespace the first part of every key this store writes
 * @param batchSize how many keys one pipelined round trip carries
 * @param timeout how long a command may take, and how long the store keeps retrying while the
 *     server cannot be reached
 */
public record RedisOptions(List<RedisURI> uris, boolean cluster, String namespace, int batchSize, Duration timeout) {
  /** Option: {@code redis://[user:password@]host:port[/db]}, {@code rediss://} for TLS; for a cluster, seeds separated by commas. */
  public static final String URI = "uri";
  /** Option: the name of an environment variable holding the password. */
  public static final String PASSWORD_ENV = "password-env";
  /** Option: {@code true} when the URIs are seed nodes of a Redis Cluster; default {@code false}. */
  public static final String CLUSTER = "cluster";
  /** Option: the key prefix; default {@value #DEFAULT_NAMESPACE}. */
  public static final String NAMESPACE = "namespace";
  /** Option: keys per pipelined round trip; default {@value #DEFAULT_BATCH_SIZE}. */
  public static final String BATCH_SIZE = "batch-size";
  /** Option: the command timeout, ISO-8601 ({@code PT10S}) or a number with ms, s or m; default 10s. */
  public static final String TIMEOUT = "timeout";

  /** The namespace when none is given. */
  public static final String DEFAULT_NAMESPACE = "backfill";
  /** The batch size when none is given. */
  public static final int DEFAULT_BATCH_SIZE = 1_000;
  /** The timeout when none is given. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  static final int MAX_BATCH_SIZE = 100_000;
  private static final Set<String> KNOWN = Set.of(URI, PASSWORD_ENV, CLUSTER, NAMESPACE, BATCH_SIZE, TIMEOUT);
  private static final Pattern NAMESPACE_PATTERN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern USER_INFO = Pattern.compile("://([^@/:]*)(:[^@/]*)?@");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)");

  public RedisOptions {
    uris = List.copyOf(Objects.requireNonNull(uris, "uris"));
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Checks and converts the plugin options; {@code environment} looks up {@code password-env}.
   *
   * @throws IllegalArgumentException naming the option at fault and what would be valid
   */
  public static RedisOptions parse(Map<String, String> options, Function<String, String> environment) {
    TreeSet<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(KNOWN);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + unknown + "; the options are " + new TreeSet<>(KNOWN));
    }
    String uriText = options.get(URI);
    if (uriText == null || uriText.isBlank()) {
      throw new IllegalArgumentException("option '" + URI + "' is " + (uriText == null ? "missing" : "blank")
          + "; give the server, for example uri=redis://127.0.0.1:6379/0");
    }
    boolean cluster = parseBoolean(options.getOrDefault(CLUSTER, "false"));
    Duration timeout = parseTimeout(options.get(TIMEOUT));
    String password = null;
    String passwordEnv = options.get(PASSWORD_ENV);
    if (passwordEnv != null) {
      password = environment.apply(passwordEnv);
      if (passwordEnv.isBlank() || password == null) {
        throw new IllegalArgumentException("option '" + PASSWORD_ENV + "' names the environment variable '" + passwordEnv
            + "', which is not set; set it to the password, or remove the option");
      }
    }
    List<RedisURI> uris = new ArrayList<>();
    String[] parts = uriText.split(",", -1);
    if (!cluster && parts.length > 1) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(uriText) + "' lists " + parts.length
          + " servers; give one, or set " + CLUSTER + "=true when they are seed nodes of a Redis Cluster");
    }
    for (String part : parts) {
      RedisURI uri = parseUri(part.strip(), cluster);
      if (password != null) {
        Matcher user = USER_INFO.matcher(part);
        String username = "";
        if (user.find()) {
          if (user.group(2) != null) {
            throw new IllegalArgumentException("option '" + URI + "' = '" + redact(part) + "' holds a password and option '"
                + PASSWORD_ENV + "' names another; keep one (password-env keeps the secret out of the file)");
          }
          username = user.group(1);
        }
        if (username.isEmpty()) {
          uri.setAuthentication(password.toCharArray());
        } else {
          uri.setAuthentication(username, password.toCharArray());
        }
      }
      uri.setTimeout(timeout);
      uris.add(uri);
    }
    String namespace = options.getOrDefault(NAMESPACE, DEFAULT_NAMESPACE);
    if (!NAMESPACE_PATTERN.matcher(namespace).matches()) {
      throw new IllegalArgumentException("option '" + NAMESPACE + "' = '" + namespace + "' is not a valid namespace;"
          + " use 1 to 64 letters, digits, '_', '.' or '-' (no ':' or braces, which the key layout uses)");
    }
    int batchSize = parseBatchSize(options.get(BATCH_SIZE));
    return new RedisOptions(uris, cluster, namespace, batchSize, timeout);
  }

  /** Host and port of every URI, for messages: never a password. */
  public String servers() {
    return String.join(",", uris.stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
  }

  private static RedisURI parseUri(String text, boolean cluster) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(text) + "' is not a Redis URI;"
          + " give redis://[user:password@]host:port[/db] or rediss:// for TLS");
    }
    // java.net.URI first: Lettuce accepts some malformed URIs (no host, a port out of range) silently.
    java.net.URI parsed;
    try {
      parsed = new java.net.URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(text) + "' is not a valid URI (" + e.getReason()
          + "); give redis://[user:password@]host:port[/db] or rediss:// for TLS", e);
    }
    if (parsed.getHost() == null || parsed.getPort() == 0 || parsed.getPort() > 65_535) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(text) + "' has no valid host and port;"
          + " give redis://host:port[/db], the port 1 to 65535 (default 6379)");
    }
    String path = parsed.getPath() == null ? "" : parsed.getPath();
    if (!path.isEmpty() && !path.matches("/\\d{0,5}")) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(text) + "' has the path '" + path
          + "'; the only path is a database number, as in redis://host:6379/0");
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(text) + "' is not a valid Redis URI ("
          + e.getMessage() + "); give redis://[user:password@]host:port[/db] or rediss:// for TLS", e);
    }
    if (cluster && uri.getDatabase() != 0) {
      throw new IllegalArgumentException("option '" + URI + "' = '" + redact(text) + "' selects database "
          + uri.getDatabase() + ", but a Redis Cluster has only database 0; drop the /" + uri.getDatabase());
    }
    return uri;
  }

  /** The URI with any password replaced, for messages. */
  static String redact(String uriText) {
    return uriText.replaceAll("(?<=://)([^@/]*):([^@/]*)@", "$1:***@");
  }

  private static boolean parseBoolean(String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("option '" + CLUSTER + "' = '" + value + "' is not a boolean; give true or false");
  }

  private static int parseBatchSize(String value) {
    if (value == null) {
      return DEFAULT_BATCH_SIZE;
    }
    int size;
    try {
      size = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option '" + BATCH_SIZE + "' = '" + value + "' is not a whole number;"
          + " give 1 to " + MAX_BATCH_SIZE + " (default " + DEFAULT_BATCH_SIZE + ")", e);
    }
    if (size < 1 || size > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("option '" + BATCH_SIZE + "' = " + size + " is out of range; give 1 to "
          + MAX_BATCH_SIZE + " (default " + DEFAULT_BATCH_SIZE + ")");
    }
    return size;
  }

  private static Duration parseTimeout(String value) {
    if (value == null) {
      return DEFAULT_TIMEOUT;
    }
    Duration timeout;
    Matcher m = SHORT_DURATION.matcher(value.strip());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      timeout = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    } else {
      try {
        timeout = Duration.parse(value.strip());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("option '" + TIMEOUT + "' = '" + value + "' is not a duration; give for"
            + " example 500ms, 10s, 2m or PT10S", e);
      }
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("option '" + TIMEOUT + "' = '" + value + "' is out of range; give more than"
          + " zero and at most one hour, for example 10s");
    }
    return timeout;
  }
}
