package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Plugins;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jdbc source against a real database: a DuckDB file reached through its JDBC driver. */
class JdbcSourceTest {
  @TempDir Path dir;
  private String url;

  @BeforeEach
  void database() throws Exception {
    url = "jdbc:duckdb:" + dir.resolve("orders.duckdb");
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id INTEGER, customer VARCHAR, placed TIMESTAMP, total DECIMAL(10, 2), paid BOOLEAN)");
      s.execute("INSERT INTO orders VALUES (1, 'ann', '2024-01-01 00:00:00', 10.50, true), "
          + "(2, 'bob', '2024-01-01 23:59:59', 3.25, false), (3, 'ann', '2024-01-02 00:00:00', 7.00, true)");
    }
  }

  @Test
  void readsTheQueryRowsOfTheRangeWithMappedTypes() {
    DataSource source = Plugins.dataSource("jdbc", Map.of("url", url, "query", "SELECT id, customer, placed, total, paid FROM orders",
        "time-column", "placed"));
    assertThat(source.schema()).isEqualTo(Schema.of(new Field("id", FieldType.LONG), new Field("customer", FieldType.STRING),
        new Field("placed", FieldType.TIMESTAMP), new Field("total", FieldType.DOUBLE), new Field("paid", FieldType.BOOLEAN)));
    List<Row> rows;
    try (Stream<Row> read = source.read(TimeRange.of(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z")))) {
      rows = read.toList();
    }
    assertThat(rows).containsExactly(
        Row.of(source.schema(), 1L, "ann", Instant.parse("2024-01-01T00:00:00Z"), 10.5, true),
        Row.of(source.schema(), 2L, "bob", Instant.parse("2024-01-01T23:59:59Z"), 3.25, false));
    try (Stream<Row> all = source.read(TimeRange.all())) {
      assertThat(all.count()).isEqualTo(3);
    }
  }

  @Test
  void aMissingDriverABadQueryOrABadTimeColumnIsAnErrorNamingTheOption() {
    assertThatThrownBy(() -> Plugins.dataSource("jdbc", Map.of("url", "jdbc:nosuchdb://x", "query", "SELECT 1", "time-column", "t")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("option url 'jdbc:nosuchdb://x'")
        .hasMessageContaining("driver");
    assertThatThrownBy(() -> Plugins.dataSource("jdbc", Map.of("url", url, "query", "SELECT * FROM nope", "time-column", "t")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("option query 'SELECT * FROM nope'");
    assertThatThrownBy(() -> Plugins.dataSource("jdbc", Map.of("url", url, "query", "SELECT * FROM orders", "time-column", "customer")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("time-column 'customer' has type VARCHAR");
    assertThatThrownBy(() -> Plugins.dataSource("jdbc", Map.of("url", url, "time-column", "placed")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("missing option 'query'");
  }
}
