package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How often the engine lists the online keys for a reset's online update, whose progress needs
 * their number first. The in-memory store's listing does not know its size (the DuckDB and
 * Iceberg stores' do: ReconciledOnceTest, IcebergResetKeysTest), so it is counted to its end and
 * listed once more to be reconciled, every key still reconciled and counted.
 */
class OnlineKeyListingsTest {
  private static final CorrectedReadings READINGS = new CorrectedReadings(20, 12, Duration.ofMinutes(1));

  @Test
  void aListingThatDoesNotKnowItsSizeIsCountedThenListedOnceMore() {
    CountingOnlineStore online = new CountingOnlineStore(InMemoryOnlineStore.create());
    try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create()).onlineStore(online)
        .build()) {
      client.register(READINGS.featureSet());
      client.backfill(CorrectedReadings.FEATURE_SET).reset().between(CorrectedReadings.ALL_DAYS.start(),
          CorrectedReadings.ALL_DAYS.stop()).run();
      TableSpec table = client.featureSet(CorrectedReadings.FEATURE_SET).orElseThrow().table();
      online.write(CorrectedReadings.FEATURE_SET, List.of(OnlineWrite.put(EntityKey.of("orphan"),
          Row.of(table.schema(), "orphan", CorrectedReadings.DAY0, 0.5, 1L))));
      online.clear();

      BackfillJob job = client.backfill(CorrectedReadings.FEATURE_SET).reset().between(CorrectedReadings.ALL_DAYS.start(),
          CorrectedReadings.ALL_DAYS.stop()).source(InMemoryDataSource.of(CorrectedReadings.SCHEMA, "ts", READINGS.version2()))
          .submit();
      BackfillResult result = job.await();

      assertThat(online.keyListings()).as("one listing counted, one reconciled").isEqualTo(2);
      assertThat(job.progress().keysTotal()).as("the 20 sensors and the orphan").isEqualTo(21);
      assertThat(job.progress().keysDone()).isEqualTo(21);
      assertThat(result.onlineKeysDeleted()).as("the 8 sensors without a row in version 2 and the orphan").isEqualTo(9);
      assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, EntityKey.of("orphan"))).isEmpty();
    }
  }
}
