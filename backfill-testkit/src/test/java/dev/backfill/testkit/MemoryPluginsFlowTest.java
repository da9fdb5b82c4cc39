package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.Transform;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole flow through stores found by plugin type ("memory"), as a configuration file would name them. */
class MemoryPluginsFlowTest {
  @Test
  void intervalBackfillReplacesOnlyTheInterval() {
    Instant day0 = Instant.parse("2024-01-01T00:00:00Z");
    FeatureSet fs = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).backfillStart(day0).build();
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      rows.add(Row.of(fs.schema(), "u1", day0.plus(d, ChronoUnit.DAYS), (long) d));
    }
    InMemoryDataSource source = InMemoryDataSource.of(fs.schema(), "ts", rows);
    try (BackfillClient client = BackfillClient.builder().offlineStore("memory", java.util.Map.of())
        .onlineStore("memory", java.util.Map.of()).clock(java.time.Clock.fixed(day0.plus(10, ChronoUnit.DAYS), java.time.ZoneOffset.UTC)).build()) {
      client.register(fs.toBuilder().source(source).build());
      BackfillResult first = client.backfill("clicks").run();
      assertThat(first.rowsWritten()).isEqualTo(10);
      assertThat(client.readOnline("clicks", EntityKey.of("u1")).orElseThrow().getLong("n")).isEqualTo(9L);
      Transform times100 = Transform.map(fs.schema(), r -> Row.of(fs.schema(), r.get(0), r.get(1), r.getLong("n") * 100));
      BackfillResult second = client.backfill("clicks").between(day0.plus(8, ChronoUnit.DAYS), day0.plus(10, ChronoUnit.DAYS))
          .transform(times100).run();
      assertThat(second.rowsWritten()).isEqualTo(2);
      assertThat(second.offlineRowsDeleted()).isEqualTo(2);
      assertThat(second.onlineKeysWritten()).isEqualTo(1);
      assertThat(client.readOnline("clicks", EntityKey.of("u1")).orElseThrow().getLong("n")).isEqualTo(900L);
      try (var stream = client.readOffline("clicks", TimeRange.all())) {
        assertThat(stream.mapToLong(r -> r.getLong("n")).sum()).isEqualTo(0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 800 + 900);
      }
      BackfillResult reset = client.backfill("clicks").reset().between(day0, day0.plus(1, ChronoUnit.DAYS)).run();
      assertThat(reset.offlineRowsDeleted()).isEqualTo(10);
      assertThat(client.readOnline("clicks", EntityKey.of("u1")).orElseThrow().getLong("n")).isEqualTo(0L);
      assertThat(client.jobs("clicks")).hasSize(3);
    }
  }
}
