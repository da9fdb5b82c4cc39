package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import org.junit.jupiter.api.Test;

/**
 * How often the engine lists the online keys for a reset's online update, whose progress needs
 * their number first. The in-memory store's listing does not know its size (the DuckDB and
 * Iceberg stores' do: ReconciledOnceTest, IcebergResetKeysTest), so it is counted to its end and
 * listed once more to be reconciled, every key still reconciled and counted.
 */
class OnlineKeyListingsTest {
  @Test
  void aListingThatDoesNotKnowItsSizeIsCountedThenListedOnceMore() {
    CountingOnlineStore online = new CountingOnlineStore(InMemoryOnlineStore.create());
    try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create()).onlineStore(online)
        .build()) {
      assertThat(ResetKeyListings.ofAReset(client, online)).as("one listing counted, one reconciled").isEqualTo(2);
    }
  }
}
