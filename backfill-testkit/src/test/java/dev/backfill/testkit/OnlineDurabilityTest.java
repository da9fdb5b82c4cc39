package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FeatureSetNotFoundException;
import dev.backfill.api.FieldType;
import dev.backfill.api.OnlineRepairResult;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online writes of a job are made durable ({@link OnlineStore#sync()}) before the job
 * history records the job reconciled, by a job and by a recovery; and
 * {@link BackfillClient#repairOnline} mends keys that a crash outside any job left stale.
 */
class OnlineDurabilityTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final FeatureSet EVENTS = FeatureSet.builder("events").key("id", FieldType.STRING).eventTime("ts")
      .feature("v", FieldType.LONG).backfillStart(START).build();
  private static final Schema SCHEMA = EVENTS.schema();
  private static final Pattern RECONCILED = Pattern.compile("\"reconciled\"\\s*:\\s*(true|false)");

  @TempDir Path folder;
  private final InMemoryOfflineStore offline = InMemoryOfflineStore.create();
  private final InMemoryOnlineStore online = InMemoryOnlineStore.create();
  private final List<BackfillClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(BackfillClient::close);
  }

  private static Row row(String id, long second, long v) {
    return Row.of(SCHEMA, id, START.plusSeconds(second), v);
  }

  private BackfillClient client(OnlineStore onlineStore) {
    BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(onlineStore)
        .jobHistory(folder.resolve("jobs")).clock(Clock.fixed(START.plus(Duration.ofDays(1)), ZoneOffset.UTC)).build();
    clients.add(client);
    client.register(EVENTS);
    return client;
  }

  /** Records, at each sync, what the job histories' records said about reconciliation then. */
  private final class SyncWatcher extends ForwardingOnlineStore {
    final List<String> seenAtSync = new ArrayList<>();
    int syncs;

    SyncWatcher() {
      super(online);
    }

    @Override
    public void sync() {
      syncs++;
      try (var files = Files.list(folder.resolve("jobs"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
          Matcher reconciled = RECONCILED.matcher(Files.readString(file));
          seenAtSync.add(reconciled.find() ? "reconciled " + reconciled.group(1) : "no reconciled field");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      super.sync();
    }
  }

  @Test
  void aJobSyncsItsOnlineWritesBeforeItIsRecordedReconciled() {
    SyncWatcher watcher = new SyncWatcher();
    BackfillClient client = client(watcher);

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600))
        .source(InMemoryDataSource.of(SCHEMA, "ts", List.of(row("a", 10, 1)))).submit();
    job.await();

    assertThat(watcher.seenAtSync).as("synced before the record said reconciled").containsExactly("reconciled false");
    assertThat(online.get("events", EntityKey.of("a"))).contains(row("a", 10, 1));
  }

  @Test
  void aRecoverySyncsItsOnlineWritesBeforeItRecordsTheJobSucceeded() {
    FlakyOnlineStore flaky = new FlakyOnlineStore(online);
    BackfillClient first = client(flaky);
    flaky.failWrites(true);
    BackfillJob job = first.backfill("events").between(START, START.plusSeconds(3600))
        .source(InMemoryDataSource.of(SCHEMA, "ts", List.of(row("a", 10, 1)))).submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class).hasMessageContaining("offline commit is done");
    first.close();
    clients.remove(first);

    SyncWatcher watcher = new SyncWatcher();
    BackfillClient second = client(watcher);

    assertThat(second.job(job.id()).orElseThrow().status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(watcher.seenAtSync).containsExactly("reconciled false");
    assertThat(online.get("events", EntityKey.of("a"))).contains(row("a", 10, 1));
  }

  @Test
  void aFailedSyncFailsTheJobAsAnUnfinishedReconciliation() {
    BackfillClient client = client(new ForwardingOnlineStore(online) {
      @Override
      public void sync() {
        throw new dev.backfill.api.StoreException("disk gone (injected)");
      }
    });

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600))
        .source(InMemoryDataSource.of(SCHEMA, "ts", List.of(row("a", 10, 1)))).submit();

    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("offline commit is done").hasMessageContaining("disk gone");
    assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
  }

  @Test
  void repairOnlineBringsEveryKeyToItsLatestOfflineRow() {
    SyncWatcher watcher = new SyncWatcher();
    BackfillClient client = client(watcher);
    client.ingest("events", List.of(row("a", 10, 1), row("b", 20, 2), row("c", 30, 3)));
    // What a process that died inside ingest leaves: rows appended offline, never written online.
    offline.append("events", List.of(row("a", 40, 4), row("d", 50, 5)));
    // And an online key whose offline rows are gone.
    online.write("events", List.of(OnlineWrite.put(EntityKey.of("z"), row("z", 60, 6))));

    OnlineRepairResult repair = client.repairOnline("events");

    assertThat(repair.featureSet()).isEqualTo("events");
    assertThat(repair.keysWritten()).isEqualTo(2);
    assertThat(repair.keysDeleted()).isEqualTo(1);
    assertThat(online.get("events", EntityKey.of("a"))).contains(row("a", 40, 4));
    assertThat(online.get("events", EntityKey.of("b"))).contains(row("b", 20, 2));
    assertThat(online.get("events", EntityKey.of("d"))).contains(row("d", 50, 5));
    assertThat(online.get("events", EntityKey.of("z"))).isEmpty();
    assertThat(watcher.syncs).as("the repair made its writes durable").isEqualTo(1);
    assertThat(repair.elapsed().isNegative()).isFalse();
    OnlineRepairResult again = client.repairOnline("events");
    assertThat(again.keysWritten()).isZero();
    assertThat(again.keysDeleted()).isZero();
    assertThatThrownBy(() -> client.repairOnline("nope")).isInstanceOf(FeatureSetNotFoundException.class);
  }
}
