package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FeatureSetNotFoundException;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BackfillClient#dropFeatureSet}: both tables and the job records go, and the name is free again. */
class DropFeatureSetTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(DAY0.plus(10, ChronoUnit.DAYS), ZoneOffset.UTC);

  @TempDir Path history;

  private static FeatureSet clicks(FieldType countType) {
    return FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts").feature("n", countType)
        .backfillStart(DAY0).build();
  }

  private static DataSource source(FeatureSet fs, Object value) {
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      rows.add(Row.of(fs.schema(), "u" + (d % 3), DAY0.plus(d, ChronoUnit.DAYS), value));
    }
    return InMemoryDataSource.of(fs.schema(), "ts", rows);
  }

  @Test
  void dropDeletesBothTablesAndTheJobRecordsAndTheNameTakesAnotherSchema() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    FeatureSet longs = clicks(FieldType.LONG);
    try (BackfillClient client = client(offline, online)) {
      client.register(longs.toBuilder().source(source(longs, 7L)).build());
      client.backfill("clicks").run();
      client.backfill("clicks").between(DAY0, DAY0.plus(1, ChronoUnit.DAYS)).run();
      assertThat(client.jobs("clicks")).hasSize(2);

      client.dropFeatureSet("clicks");

      assertThat(client.jobs("clicks")).isEmpty();
      assertThat(client.featureSet("clicks")).isEmpty();
      assertThat(offline.table("clicks")).isEmpty();
      assertThatThrownBy(() -> online.get("clicks", EntityKey.of("u1"))).isInstanceOf(StoreException.class);
      assertThatThrownBy(() -> client.backfill("clicks")).isInstanceOf(FeatureSetNotFoundException.class);
      client.dropFeatureSet("clicks");
    }
    FeatureSet doubles = clicks(FieldType.DOUBLE);
    try (BackfillClient client = client(offline, online)) {
      assertThat(client.jobs("clicks")).as("the job records were deleted from the durable history").isEmpty();
      client.register(doubles.toBuilder().source(source(doubles, 1.5)).build());
      assertThat(client.backfill("clicks").run().rowsWritten()).isEqualTo(10);
      assertThat(client.readOnline("clicks", EntityKey.of("u0")).orElseThrow().get("n")).isEqualTo(1.5);
      try (Stream<Row> rows = client.readOffline("clicks", TimeRange.all())) {
        assertThat(rows.count()).isEqualTo(10);
      }
    }
  }

  @Test
  void aDropWhileABackfillOfTheFeatureSetRunsIsAConflictAndChangesNothing() throws Exception {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    FeatureSet longs = clicks(FieldType.LONG);
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DataSource rows = source(longs, 1L);
    DataSource blocking = new DataSource() {
      @Override
      public Schema schema() {
        return rows.schema();
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        reading.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return rows.read(range);
      }
    };
    try (BackfillClient client = client(offline, online)) {
      client.register(longs.toBuilder().source(rows).build());
      client.backfill("clicks").run();
      BackfillJob running = client.backfill("clicks").source(blocking).submit();
      assertThat(reading.await(60, TimeUnit.SECONDS)).isTrue();

      assertThatThrownBy(() -> client.dropFeatureSet("clicks")).isInstanceOf(BackfillConflictException.class)
          .hasMessage("feature set 'clicks' cannot be dropped while backfill job " + running.id()
              + " of it runs; wait for it or cancel it");
      release.countDown();
      running.await();
      assertThat(client.jobs("clicks")).hasSize(2);
      assertThat(offline.rowCount("clicks")).isEqualTo(10);
      client.dropFeatureSet("clicks");
      assertThat(client.jobs("clicks")).isEmpty();
    }
  }

  @Test
  void aStoreThatCannotDropTablesRefusesAndTheJobRecordsStay() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore memory = InMemoryOnlineStore.create();
    OnlineStore cannotDrop = new OnlineStore() {
      @Override
      public void createTable(TableSpec table) {
        memory.createTable(table);
      }

      @Override
      public Optional<Row> get(String table, EntityKey key) {
        return memory.get(table, key);
      }

      @Override
      public Map<EntityKey, Row> getAll(String table, Collection<EntityKey> keys) {
        return memory.getAll(table, keys);
      }

      @Override
      public long write(String table, List<OnlineWrite> writes) {
        return memory.write(table, writes);
      }

      @Override
      public Stream<EntityKey> keys(String table) {
        return memory.keys(table);
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return "read-only test store";
      }
    };
    FeatureSet longs = clicks(FieldType.LONG);
    try (BackfillClient client = client(offline, cannotDrop)) {
      client.register(longs.toBuilder().source(source(longs, 7L)).build());
      client.backfill("clicks").run();

      assertThatThrownBy(() -> client.dropFeatureSet("clicks")).isInstanceOf(StoreException.class)
          .hasMessageContaining("the online store read-only test store").hasMessageContaining("cannot drop tables")
          .hasMessageContaining("table 'clicks' was kept");
      assertThat(client.jobs("clicks")).hasSize(1);
      assertThat(offline.rowCount("clicks")).isEqualTo(10);
      assertThat(client.backfill("clicks").run().rowsWritten()).isEqualTo(10);
    }
  }

  private BackfillClient client(InMemoryOfflineStore offline, OnlineStore online) {
    return BackfillClient.builder().offlineStore(offline).onlineStore(online).jobHistory(history).clock(CLOCK).build();
  }
}
