package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.CountingOnlineStore;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A reset reconciles each key once: the keys it changed and the online keys, which are mostly
 * the same, are listed once each by the DuckDB store ({@code changedKeysAnd}), so each key's
 * online row is read once and its latest offline row looked up once; and the online keys are
 * listed once, since that listing (counted by DuckDB) gives the progress its total too.
 */
class ReconciledOnceTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  private static FeatureSet featureSet(int firstKey, int keys) {
    FeatureSet shape = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).backfillStart(T0).source(InMemoryDataSource.of(
            Schema.of(new dev.backfill.api.Field("user", FieldType.STRING), new dev.backfill.api.Field("ts", FieldType.TIMESTAMP),
                new dev.backfill.api.Field("n", FieldType.LONG)), "ts", List.of())).build();
    List<Row> rows = IntStream.range(firstKey, firstKey + keys)
        .mapToObj(i -> Row.of(shape.schema(), "u" + i, T0.plus(Duration.ofHours(i % 24)), (long) i)).toList();
    return shape.toBuilder().source(InMemoryDataSource.of(shape.schema(), "ts", rows)).build();
  }

  @Test
  void aResetReadsAndLooksUpEachKeyOnce() {
    CountingOnlineStore online = new CountingOnlineStore(InMemoryOnlineStore.create());
    try (DuckDbOfflineStore offline = DuckDbOfflineStore.inMemory();
         BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online).build()) {
      client.register(featureSet(0, 3_000));
      client.backfill("clicks").reset().stopTime(T0.plus(Duration.ofDays(1))).run();
      TableSpec table = client.featureSet("clicks").orElseThrow().table();
      // A key only the online store has (an ingest that died between its two writes): a reset removes it.
      online.write("clicks", List.of(OnlineWrite.put(EntityKey.of("orphan"),
          Row.of(table.schema(), "orphan", T0, 1L))));
      online.clear();
      long lookups = offline.tableLookups();

      FeatureSet moved = featureSet(1_000, 3_000);
      BackfillJob job = client.backfill("clicks").reset().source(moved.source().orElseThrow()).stopTime(T0.plus(Duration.ofDays(1))).submit();
      BackfillResult result = job.await();

      // u0..u3999 (the old and the new rows) and the orphan, each once.
      assertThat(online.keysRead()).hasSize(4_001);
      assertThat(new HashSet<>(online.keysRead())).hasSize(4_001);
      assertThat(job.progress().keysTotal()).isEqualTo(4_001);
      assertThat(online.keyListings()).as("the online keys are listed once: the store's listing knows its size").isEqualTo(1);
      assertThat(offline.tableLookups()).as("every latest row came with its key, read ahead").isEqualTo(lookups);
      assertThat(result.onlineKeysDeleted()).isEqualTo(1_001);
      assertThat(client.readOnline("clicks", EntityKey.of("orphan"))).isEmpty();
      assertThat(client.readOnline("clicks", EntityKey.of("u0"))).isEmpty();
      assertThat(client.readOnline("clicks", EntityKey.of("u3999"))).isPresent();
    }
  }
}
