package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SqlTransformTest {
  private static final Schema INPUT = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
      new Field("clicks", FieldType.LONG), new Field("spend", FieldType.DOUBLE));
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  private static Row input(String user, int hour, long clicks, Double spend) {
    return Row.of(INPUT, user, T0.plus(Duration.ofHours(hour)), clicks, spend);
  }

  @Test
  void theOutputSchemaIsBoundAgainstTheInputSchemaWithoutData() {
    Transform t = Plugins.transform("sql", Map.of("query",
        "SELECT user, date_trunc('day', ts) AS day, count(*) AS n, avg(spend) AS avg_spend, sum(clicks)::BIGINT AS clicks, "
            + "max(clicks) > 3 AS busy FROM source GROUP BY ALL;"));
    assertThat(t.outputSchema(INPUT)).isEqualTo(Schema.of(new Field("user", FieldType.STRING), new Field("day", FieldType.TIMESTAMP),
        new Field("n", FieldType.LONG), new Field("avg_spend", FieldType.DOUBLE), new Field("clicks", FieldType.LONG),
        new Field("busy", FieldType.BOOLEAN)));
    assertThat(t.lookback()).isEqualTo(Duration.ZERO);
  }

  @Test
  void applyRunsTheQueryOverTheInputRowsWithJavaTypes() {
    Transform t = SqlTransform.of("SELECT user, ts, clicks * 2 AS clicks, coalesce(spend, -1) AS spend FROM source WHERE user <> 'x'",
        Duration.ofHours(6));
    List<Row> out;
    try (Stream<Row> rows = t.apply(Stream.of(input("ann", 0, 1, 0.5), input("x", 1, 2, 1.0), input("bob", 2, 3, null)))) {
      out = rows.toList();
    }
    Schema schema = t.outputSchema(INPUT);
    assertThat(out).containsExactlyInAnyOrder(Row.of(schema, "ann", T0, 2L, 0.5),
        Row.of(schema, "bob", T0.plus(Duration.ofHours(2)), 6L, -1.0));
    assertThat(t.lookback()).isEqualTo(Duration.ofHours(6));
    try (Stream<Row> none = t.apply(Stream.empty())) {
      assertThat(none).isEmpty();
    }
  }

  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void anInputClosedByACancelBeforeTheQueryStartsKeepsTheQueryFromRunning() {
    // A cancelled backfill closes the input from another thread; an in-memory input reads on
    // after its close, so the query must be refused when it comes (here it would run for hours).
    Transform endless = SqlTransform.of("SELECT s.* FROM source s, range(100000000000) r WHERE (r.range + s.clicks) % 7 = -1",
        Duration.ZERO);
    AtomicReference<Stream<Row>> input = new AtomicReference<>();
    input.set(Stream.of(input("ann", 0, 1, 0.5), input("bob", 1, 2, 1.0)).peek(row -> {
      if (row.getString("user").equals("bob")) {
        input.get().close();
      }
    }));

    assertThatThrownBy(() -> endless.apply(input.get())).isInstanceOf(StoreException.class)
        .hasMessageContaining("was cancelled");
  }

  @Test
  void aBadQueryOrLookbackIsAnErrorNamingTheOption() {
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", "SELEC user FROM source")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("transform 'sql'")
        .hasMessageContaining("option query 'SELEC user FROM source' is not a valid DuckDB SELECT");
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", "SELECT * FROM events")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("reads no relation 'source'");
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", "DELETE FROM source")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("option query 'DELETE FROM source'");
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", "SELECT * FROM source", "lookback", "2 days")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("option lookback '2 days'")
        .hasMessageContaining("P7D");
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("lookback", "P1D")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("missing option 'query'");
    Transform unbound = SqlTransform.of("SELECT nope FROM source", Duration.ZERO);
    assertThatThrownBy(() -> unbound.outputSchema(INPUT)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not bind").hasMessageContaining("nope");
    Transform lists = SqlTransform.of("SELECT user, [clicks] AS l FROM source", Duration.ZERO);
    assertThatThrownBy(() -> lists.outputSchema(INPUT)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output column 'l' has type BIGINT[]").hasMessageContaining("CAST");
  }
}
