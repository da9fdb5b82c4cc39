package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job history that becomes unwritable during a job. Tests run as root, for whom a read-only
 * directory is still writable, so the folder is made unwritable for real another way: it is
 * moved aside and a plain file put in its place, so that every write into it fails with the
 * operating system's "not a directory". Before the fix the job history's failures were only
 * logged: the job committed, ended SUCCEEDED, and the next client, finding the record still
 * PENDING, marked it SUCCEEDED with 0 rows written.
 */
class JobHistoryFailureTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final FeatureSet EVENTS = FeatureSet.builder("events").key("id", FieldType.STRING).eventTime("ts")
      .feature("v", FieldType.LONG).backfillStart(START).build();
  private static final Schema SCHEMA = EVENTS.schema();
  private static final List<Row> OLD = List.of(row("a", 10, 1), row("b", 20, 2));
  private static final List<Row> NEW = List.of(row("a", 30, 3), row("c", 40, 4));

  @TempDir Path folder;
  private final InMemoryOfflineStore offline = InMemoryOfflineStore.create();
  private final InMemoryOnlineStore online = InMemoryOnlineStore.create();
  private Path jobs;
  private BackfillClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private static Row row(String id, long second, long v) {
    return Row.of(SCHEMA, id, START.plusSeconds(second), v);
  }

  private BackfillClient client(OnlineStore onlineStore) {
    return client(offline, onlineStore);
  }

  private BackfillClient client(OfflineStore offlineStore, OnlineStore onlineStore) {
    jobs = folder.resolve("jobs");
    BackfillClient built = BackfillClient.builder().offlineStore(offlineStore).onlineStore(onlineStore).jobHistory(jobs)
        .clock(Clock.fixed(START.plus(Duration.ofDays(1)), ZoneOffset.UTC)).build();
    built.register(EVENTS);
    return built;
  }

  @Test
  void aJobWhoseHistoryBecomesUnwritableBeforeItsCommitFailsAndCommitsNothing() {
    client = client(online);
    client.ingest("events", OLD);
    DataSource breaking = new DataSource() {
      @Override
      public Schema schema() {
        return SCHEMA;
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        makeHistoryUnwritable();
        return NEW.stream().filter(r -> range.contains(r.getInstant("ts")));
      }
    };

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600)).source(breaking).submit();

    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("job history").hasMessageContaining("nothing was changed in either store");
    assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(job.commitStage()).isEqualTo(BackfillJob.CommitStage.BEFORE_COMMIT);
    assertThat(offlineRows()).containsExactlyInAnyOrderElementsOf(OLD);
    assertThat(online.get("events", EntityKey.of("a"))).contains(row("a", 10, 1));
    client.close();
    client = null;

    restoreHistory();
    client = client(online);
    BackfillJob settled = client.job(job.id()).orElseThrow();
    assertThat(settled.status()).as("the next client must not mark it SUCCEEDED").isEqualTo(BackfillStatus.FAILED);
    assertThat(settled.failure()).hasValueSatisfying(m -> assertThat(m).contains("before its offline commit"));
    assertThat(offlineRows()).containsExactlyInAnyOrderElementsOf(OLD);
  }

  @Test
  void aJobWhoseHistoryBecomesUnwritableAtItsCommitUpdatesBothStoresButDoesNotSucceed() {
    // The commit is done (and atomic): the online store is still brought to it, but the job
    // cannot claim a success it could not record. The next client records it from the store.
    OfflineStoreBreakingTheHistoryAtCommit breaking = new OfflineStoreBreakingTheHistoryAtCommit();
    client = client(online);
    client.ingest("events", OLD);
    client.close();
    client = client(breaking, online);

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600))
        .source(InMemoryDataSource.of(SCHEMA, "ts", NEW)).submit();

    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("the offline commit and the online update are done, but the job history could not record them");
    assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(job.commitStage()).isEqualTo(BackfillJob.CommitStage.COMMITTED);
    assertThat(offlineRows()).containsExactlyInAnyOrderElementsOf(NEW);
    assertThat(online.get("events", EntityKey.of("a"))).contains(row("a", 30, 3));
    assertThat(online.get("events", EntityKey.of("b"))).isEmpty();
    assertThat(online.get("events", EntityKey.of("c"))).contains(row("c", 40, 4));
    client.close();
    client = null;

    restoreHistory();
    client = client(online);
    BackfillJob settled = client.job(job.id()).orElseThrow();
    assertThat(settled.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(settled.result().orElseThrow().rowsWritten()).as("the staged rows, recorded before the commit")
        .isEqualTo(NEW.size());
  }

  /** Commits for real, then makes the job history unwritable before the engine can record it. */
  private final class OfflineStoreBreakingTheHistoryAtCommit extends ForwardingOfflineStore {
    OfflineStoreBreakingTheHistoryAtCommit() {
      super(offline);
    }

    @Override
    protected OfflineReplacement wrap(OfflineReplacement replacement) {
      return new ForwardingOfflineReplacement(replacement) {
        @Override
        public Commit commit() {
          Commit commit = super.commit();
          makeHistoryUnwritable();
          return commit;
        }
      };
    }
  }

  /** Idempotent: each slice's read calls it. */
  private synchronized void makeHistoryUnwritable() {
    if (Files.isRegularFile(jobs)) {
      return;
    }
    try {
      Files.move(jobs, folder.resolve("jobs-aside"));
      Files.writeString(jobs, "not a directory");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void restoreHistory() {
    try {
      Files.delete(jobs);
      Files.move(folder.resolve("jobs-aside"), jobs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<Row> offlineRows() {
    try (Stream<Row> rows = offline.scan("events", TimeRange.all())) {
      return rows.toList();
    }
  }
}
