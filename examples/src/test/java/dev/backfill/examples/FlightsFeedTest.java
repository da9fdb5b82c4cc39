package dev.backfill.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed feed of the command line's example, examples/flights.parquet, is what FlightsGenerator writes. */
class FlightsFeedTest {
  @TempDir Path folder;

  @Test
  void theCommittedFeedIsTheGeneratedOne() throws Exception {
    Path generated = FlightsGenerator.ensure(folder);
    Path committed = Path.of("flights.parquet").toAbsolutePath();
    assertThat(committed).exists();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      String a = "read_parquet('" + committed + "')";
      String b = "read_parquet('" + generated + "')";
      assertThat(count(s, "SELECT count(*) FROM " + a)).isEqualTo(count(s, "SELECT count(*) FROM " + b)).isGreaterThan(40_000);
      assertThat(count(s, "SELECT count(*) FROM (SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b + ")")).isZero();
      assertThat(count(s, "SELECT count(*) FROM (SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a + ")")).isZero();
    }
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
