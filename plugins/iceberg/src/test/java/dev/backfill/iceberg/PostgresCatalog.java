package dev.backfill.iceberg;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDBC catalog in its own database of the PostgreSQL server at 127.0.0.1:5432, made for one
 * test class and dropped after it, so that parallel builds never share a catalog. Each store it
 * hands out gets a namespace of its own: a fresh, empty store per test.
 */
final class PostgresCatalog implements AutoCloseable {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  private final String database = "backfill_iceberg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final AtomicInteger namespaces = new AtomicInteger();

  PostgresCatalog() {
    execute("CREATE DATABASE " + database);
  }

  String uri() {
    return SERVER + database + "?user=postgres";
  }

  /** Options of a store with a namespace no other store of this catalog has. */
  Map<String, String> freshStore(Path warehouse) {
    return Map.of("catalog", "jdbc", "uri", uri(), "warehouse", warehouse.toString(),
        "namespace", "t" + namespaces.incrementAndGet());
  }

  @Override
  public void close() {
    execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  private static void execute(String sql) {
    try (Connection connection = DriverManager.getConnection(SERVER + "postgres?user=postgres");
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432: " + sql + ": " + e.getMessage(), e);
    }
  }
}
