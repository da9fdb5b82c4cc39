package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.CorrectedReadings;
import dev.backfill.testkit.CountingOnlineStore;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reset on Iceberg reconciles the keys it changed and every online key, listing the online
 * store once: the replacement's listing knows its size, so the engine's progress needs no second
 * listing of the online store (nor a second read of the removed files' keys).
 */
class IcebergResetKeysTest {
  private static final CorrectedReadings READINGS = new CorrectedReadings(20, 12, Duration.ofMinutes(1));

  @TempDir Path dir;

  @Test
  void aResetListsTheOnlineKeysOnceAndCountsEveryKeyItChecks() {
    CountingOnlineStore online = new CountingOnlineStore(InMemoryOnlineStore.create());
    try (IcebergOfflineStore offline = IcebergOfflineStore.open(IcebergCrashChild.options(dir));
         BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online).build()) {
      client.register(READINGS.featureSet());
      client.backfill(CorrectedReadings.FEATURE_SET).reset().between(CorrectedReadings.ALL_DAYS.start(),
          CorrectedReadings.ALL_DAYS.stop()).run();
      TableSpec table = client.featureSet(CorrectedReadings.FEATURE_SET).orElseThrow().table();
      // A key only the online store has: a reset removes it.
      online.write(CorrectedReadings.FEATURE_SET, List.of(OnlineWrite.put(EntityKey.of("orphan"),
          Row.of(table.schema(), "orphan", CorrectedReadings.DAY0, 0.5, 1L))));
      online.clear();

      BackfillJob job = client.backfill(CorrectedReadings.FEATURE_SET).reset().between(CorrectedReadings.ALL_DAYS.start(),
          CorrectedReadings.ALL_DAYS.stop()).source(InMemoryDataSource.of(CorrectedReadings.SCHEMA, "ts", READINGS.version2()))
          .submit();
      BackfillResult result = job.await();

      assertThat(online.keyListings()).as("one listing of the online keys").isEqualTo(1);
      assertThat(job.progress().keysTotal()).as("the 20 sensors and the orphan").isEqualTo(21);
      assertThat(job.progress().keysDone()).isEqualTo(21);
      assertThat(result.onlineKeysDeleted()).as("the 8 sensors without a row in version 2 and the orphan").isEqualTo(9);
      assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, EntityKey.of("orphan"))).isEmpty();
      assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, EntityKey.of("s0"))).isPresent();
    }
  }
}
