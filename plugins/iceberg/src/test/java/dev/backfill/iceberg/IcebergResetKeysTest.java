package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.testkit.CountingOnlineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import dev.backfill.testkit.ResetKeyListings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reset on Iceberg reconciles the keys it changed and every online key, listing the online
 * store once: the replacement's listing knows its size, so the engine's progress needs no second
 * listing of the online store (nor a second read of the removed files' keys).
 */
class IcebergResetKeysTest {
  @TempDir Path dir;

  @Test
  void aResetListsTheOnlineKeysOnceAndCountsEveryKeyItChecks() {
    CountingOnlineStore online = new CountingOnlineStore(InMemoryOnlineStore.create());
    try (IcebergOfflineStore offline = IcebergOfflineStore.open(IcebergCrashChild.options(dir));
         BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online).build()) {
      assertThat(ResetKeyListings.ofAReset(client, online)).as("one listing of the online keys").isEqualTo(1);
    }
  }
}
