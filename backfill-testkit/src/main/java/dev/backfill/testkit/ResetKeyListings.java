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

/**
 * A reset whose online update must check every key of the feature set and one key only the
 * online store has, for a test of how often the engine lists the online keys on a given offline
 * store (the progress needs their number first). Asserts that every key was checked and counted
 * and the orphan deleted; returns the listings.
 */
public final class ResetKeyListings {
  private static final CorrectedReadings READINGS = new CorrectedReadings(20, 12, Duration.ofMinutes(1));

  private ResetKeyListings() {}

  /**
   * Registers {@link CorrectedReadings#FEATURE_SET} on the client, resets it to version 1, puts a
   * key of its own into the online store, then resets it to version 2.
   *
   * @param online the client's online store
   * @return how many times the second reset listed the online keys
   */
  public static int ofAReset(BackfillClient client, CountingOnlineStore online) {
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

    assertThat(job.progress().keysTotal()).as("the 20 sensors and the orphan").isEqualTo(21);
    assertThat(job.progress().keysDone()).isEqualTo(21);
    assertThat(result.onlineKeysDeleted()).as("the 8 sensors without a row in version 2 and the orphan").isEqualTo(9);
    assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, EntityKey.of("orphan"))).isEmpty();
    assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, EntityKey.of("s0"))).isPresent();
    return online.keyListings();
  }
}
