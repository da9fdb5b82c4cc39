package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.Plugins;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job history as a plugin: {@code memory} and {@code file} from the engine, chosen by type. */
class JobHistoryTypesTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(DAY0.plus(10, ChronoUnit.DAYS), ZoneOffset.UTC);

  @TempDir Path directory;

  private static FeatureSet clicks() {
    FeatureSet fs = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).backfillStart(DAY0).build();
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      rows.add(Row.of(fs.schema(), "u" + (d % 3), DAY0.plus(d, ChronoUnit.DAYS), (long) d));
    }
    return fs.toBuilder().source(InMemoryDataSource.of(fs.schema(), "ts", rows)).build();
  }

  private BackfillClient.Builder builder(InMemoryOfflineStore offline, InMemoryOnlineStore online) {
    return BackfillClient.builder().offlineStore(offline).onlineStore(online).clock(CLOCK);
  }

  @Test
  void theFileTypeIsTheDirectoryHistoryItsJobsOutliveTheClientAndASnapshotReadsThem() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    Map<String, String> options = Map.of("path", directory.toString());
    String id;
    try (BackfillClient client = builder(offline, online).jobHistory("file", options).build()) {
      client.register(clicks());
      id = client.backfill("clicks").run().jobId();
    }
    try (BackfillClient client = builder(offline, online).jobHistory(directory).build()) {
      assertThat(client.job(id)).map(BackfillJob::status).contains(BackfillStatus.SUCCEEDED);
    }
    JobHistorySnapshot byType = JobHistorySnapshot.read("file", options);
    assertThat(byType.job(id)).map(BackfillJob::status).contains(BackfillStatus.SUCCEEDED);
    assertThat(byType.inUse()).isFalse();
    assertThat(directory.resolve(id + ".json")).exists();
  }

  @Test
  void theMemoryTypeForgetsItsJobsWithTheClient() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    String id;
    try (BackfillClient client = builder(offline, online).jobHistory("memory", Map.of()).build()) {
      client.register(clicks());
      id = client.backfill("clicks").run().jobId();
      assertThat(client.job(id)).isPresent();
    }
    try (BackfillClient client = builder(offline, online).jobHistory("memory", Map.of()).build()) {
      assertThat(client.job(id)).isEmpty();
    }
  }

  @Test
  void anUnknownTypeListsTheKnownOnesAndBadOptionsNameTheOption() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    assertThatThrownBy(() -> builder(offline, online).jobHistory("nosuch", Map.of()).build())
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessage("unknown job history type 'nosuch'; known types: file, memory");
    assertThatThrownBy(() -> Plugins.jobHistory("file", Map.of()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("job history 'file': option 'path' is required");
    assertThatThrownBy(() -> Plugins.jobHistory("memory", Map.of("path", "x")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("unknown option 'path' of job history type 'memory'; valid options: none");
  }

  @Test
  void aFileHistoryHeldByAnotherClientIsRefusedButReadable() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    Map<String, String> options = Map.of("path", directory.toString());
    try (BackfillClient holder = builder(offline, online).jobHistory("file", options).build()) {
      holder.register(clicks());
      String id = holder.backfill("clicks").run().jobId();
      assertThatThrownBy(() -> builder(offline, online).jobHistory("file", options).build())
          .isInstanceOf(StoreException.class).hasMessageContaining("is in use by another client");
      JobHistorySnapshot view = JobHistorySnapshot.read("file", options);
      assertThat(view.inUse()).isTrue();
      assertThat(view.jobs("clicks")).extracting(BackfillJob::id).containsExactly(id);
    }
  }

  @Test
  void cancellingAnUnknownJobNamesIt() {
    try (BackfillClient client = builder(InMemoryOfflineStore.create(), InMemoryOnlineStore.create()).build()) {
      assertThatThrownBy(() -> client.cancel("bf-nosuch"))
          .isInstanceOf(InvalidBackfillRequestException.class)
          .hasMessageStartingWith("unknown backfill job 'bf-nosuch'");
    }
  }
}
