package dev.backfill.duckdb;

import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Plugins;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.stream.Stream;

/**
 * Run in a child JVM by {@link JdbcSourceTimeZoneTest} under another zone. Arguments: the
 * range's start and stop, then quadruples (label, url, query, time column). Prints the JVM's
 * zone, then per source the session zone a plain connection of its driver gets (so the test
 * sees that the driver took the zone up) and the rows the source reads for the range, as
 * {@code label id instant-of-each-timestamp-column}.
 */
public final class ReadJdbcSourceInZone {
  private ReadJdbcSourceInZone() {}

  public static void main(String[] args) throws Exception {
    System.out.println("jvm " + TimeZone.getDefault().getID());
    TimeRange range = TimeRange.of(Instant.parse(args[0]), Instant.parse(args[1]));
    for (int i = 2; i + 3 < args.length; i += 4) {
      String label = args[i];
      String url = args[i + 1];
      System.out.println("session " + label + " " + defaultSessionZone(url));
      DataSource source = Plugins.dataSource("jdbc", Map.of("url", url, "query", args[i + 2], "time-column", args[i + 3]));
      try (Stream<Row> rows = source.read(range)) {
        rows.sorted(java.util.Comparator.comparing(r -> r.getLong("id"))).forEach(row -> {
          StringBuilder line = new StringBuilder(label).append(' ').append(row.getLong("id"));
          for (int c = 0; c < row.schema().size(); c++) {
            if (row.get(c) instanceof Instant t) {
              line.append(' ').append(t);
            }
          }
          System.out.println(line);
        });
      }
    }
    System.out.flush();
  }

  private static String defaultSessionZone(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
      String query = product.contains("postgres") ? "SHOW TimeZone"
          : product.contains("mariadb") || product.contains("mysql") ? "SELECT @@session.time_zone"
          : "SELECT current_setting('TimeZone')";
      try (ResultSet rs = s.executeQuery(query)) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
