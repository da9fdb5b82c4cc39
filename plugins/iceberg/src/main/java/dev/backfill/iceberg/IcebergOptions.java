package dev.backfill.iceberg;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checked options of an Iceberg offline store (plugin type {@code iceberg}).
 *
 * @param catalog {@code jdbc} (a catalog in a database: PostgreSQL for many processes and
 *     machines, SQLite for one machine) or {@code hadoop} (a catalog of files in the warehouse:
 *     safe for one writer only, as Iceberg itself warns)
 * @param uri for {@code jdbc}, the JDBC URL of the catalog database; empty for {@code hadoop}
 * @param warehouse where table files go: a local path or a URI Hadoop's file systems understand
 * @param namespace the Iceberg namespace of the feature set tables
 * @param partitioning how tables are partitioned by their event time
 */
public record IcebergOptions(String catalog, Optional<String> uri, String warehouse, String namespace,
    Partitioning partitioning) {
  private static final Map<String, String> VALID = new LinkedHashMap<>();

  static {
    VALID.put("catalog", "jdbc or hadoop");
    VALID.put("uri", "for catalog jdbc: jdbc:postgresql://host:5432/db, or jdbc:sqlite:/path/catalog.db for one machine");
    VALID.put("warehouse", "a folder or URI where table files go");
    VALID.put("namespace", "the Iceberg namespace of the tables, default 'backfill'");
    VALID.put("partitioning", "hour, day (default) or month of the event time");
  }

  /** The event-time partition transforms the store offers. */
  public enum Partitioning { HOUR, DAY, MONTH }

  public IcebergOptions {
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(warehouse, "warehouse");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(partitioning, "partitioning");
  }

  /**
   * Parses plugin options.
   *
   * @throws IllegalArgumentException in one line naming the option at fault and what is valid
   */
  public static IcebergOptions parse(Map<String, String> options) {
    return parse(options, VALID);
  }

  /**
   * Parses the catalog options of a plugin that has options of its own besides them (the
   * {@code iceberg} source): {@code valid} lists every option the plugin takes, with its meaning,
   * for the error messages; the plugin checks its own ones.
   *
   * @throws IllegalArgumentException in one line naming the option at fault and what is valid
   */
  static IcebergOptions parse(Map<String, String> options, Map<String, String> valid) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(valid.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + unknown + "; valid options: " + describe(valid));
    }
    String catalog = required(options, "catalog", valid);
    if (!catalog.equals("jdbc") && !catalog.equals("hadoop")) {
      throw new IllegalArgumentException("option catalog '" + catalog + "' must be jdbc (a catalog database, "
          + "for many processes) or hadoop (catalog files in the warehouse, for one writer only)");
    }
    Optional<String> uri = Optional.ofNullable(options.get("uri"));
    if (catalog.equals("jdbc")) {
      String u = required(options, "uri", valid);
      if (!u.startsWith("jdbc:postgresql:") && !u.startsWith("jdbc:sqlite:")) {
        throw new IllegalArgumentException("option uri '" + u + "' must be a PostgreSQL or SQLite JDBC URL, such as "
            + "jdbc:postgresql://127.0.0.1:5432/features or jdbc:sqlite:/srv/features/catalog.db");
      }
    } else if (uri.isPresent()) {
      throw new IllegalArgumentException("option uri is for catalog jdbc; catalog hadoop keeps its catalog in the "
          + "warehouse folder: leave uri out");
    }
    String warehouse = required(options, "warehouse", valid);
    String namespace = options.getOrDefault("namespace", "backfill");
    if (!namespace.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("option namespace '" + namespace + "' must be a name of letters, digits and "
          + "underscores that does not start with a digit, such as features");
    }
    String partitioning = options.getOrDefault("partitioning", "day");
    Partitioning parsed = switch (partitioning.toLowerCase(Locale.ROOT)) {
      case "hour" -> Partitioning.HOUR;
      case "day" -> Partitioning.DAY;
      case "month" -> Partitioning.MONTH;
      default -> throw new IllegalArgumentException("option partitioning '" + partitioning
          + "' must be hour, day or month (of the event time)");
    };
    return new IcebergOptions(catalog, uri, warehouse, namespace, parsed);
  }

  static String required(Map<String, String> options, String key, Map<String, String> valid) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing option '" + key + "' (" + valid.get(key) + "); valid options: "
          + describe(valid));
    }
    return value;
  }

  /** The store's options and their meanings, in the order the README lists them. */
  static Map<String, String> valid() {
    return java.util.Collections.unmodifiableMap(VALID);
  }

  static String describe(Map<String, String> valid) {
    StringBuilder text = new StringBuilder();
    valid.forEach((key, meaning) -> text.append(text.length() == 0 ? "" : ", ").append(key).append(" (")
        .append(meaning).append(')'));
    return text.toString();
  }
}
