package dev.backfill.iceberg;

import dev.backfill.api.StoreException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.jdbc.JdbcCatalog;

/** Opens the Iceberg catalog the options name. */
final class Catalogs {
  private Catalogs() {}

  static Catalog open(IcebergOptions options) {
    return open(options, Map.of());
  }

  /** With catalog properties of a test's choosing, such as a file IO that halts the JVM. */
  static Catalog open(IcebergOptions options, Map<String, String> extra) {
    String warehouse = warehouse(options.warehouse());
    Configuration conf = new Configuration();
    try {
      Map<String, String> properties = new HashMap<>();
      if (warehouse.startsWith("file:")) {
        properties.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
      }
      properties.putAll(extra);
      if (options.catalog().equals("hadoop")) {
        HadoopCatalog catalog = new HadoopCatalog();
        catalog.setConf(conf);
        properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
        catalog.initialize("backfill", properties);
        return catalog;
      }
      properties.put(CatalogProperties.URI, options.uri().orElseThrow());
      // The current layout of Iceberg's catalog tables (it also holds views); an older catalog
      // database is migrated in place.
      properties.put("jdbc.schema-version", "V1");
      properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
      if (options.uri().get().startsWith("jdbc:sqlite:")) {
        sqliteFolder(options.uri().get());
        // SQLite lets one writer at a time in; the others wait instead of failing at once.
        properties.put(JdbcCatalog.PROPERTY_PREFIX + "busy_timeout", "30000");
        // A catalog commit is one row update: with a write-ahead log it costs an append to the
        // log instead of two synchronous writes of a rollback journal (a process crash loses no
        // commit; a power cut may lose the last ones, leaving the table at an earlier snapshot).
        properties.put(JdbcCatalog.PROPERTY_PREFIX + "journal_mode", "WAL");
        properties.put(JdbcCatalog.PROPERTY_PREFIX + "synchronous", "NORMAL");
      }
      JdbcCatalog catalog = new JdbcCatalog();
      catalog.setConf(conf);
      catalog.initialize("backfill", properties);
      return catalog;
    } catch (RuntimeException e) {
      throw new StoreException("offline store (iceberg): cannot open the " + options.catalog() + " catalog"
          + options.uri().map(u -> " at " + u).orElse("") + " with warehouse " + warehouse + ": " + e.getMessage(), e);
    }
  }

  /** SQLite creates its database file but not the folders above it: a new catalog's are made here. */
  private static void sqliteFolder(String uri) {
    String file = uri.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    file = query < 0 ? file : file.substring(0, query);
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      java.nio.file.Files.createDirectories(parent);
    } catch (java.io.IOException e) {
      throw new StoreException("offline store (iceberg): cannot create the folder " + parent + " of the SQLite catalog "
          + uri + ": " + e, e);
    }
  }

  /** A warehouse without a scheme is a local folder, made absolute so every process agrees. */
  static String warehouse(String warehouse) {
    if (warehouse.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !warehouse.matches("[A-Za-z]:\\\\.*")) {
      return URI.create(warehouse).toString();
    }
    return Path.of(warehouse).toAbsolutePath().normalize().toUri().toString();
  }
}
