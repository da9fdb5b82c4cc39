package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillClient;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cancel reaches a job wherever it is blocked, and {@code close()} ends within its bound
 * whatever a job does. Each case used to hang: the cancel only set a flag that a blocked
 * worker never polled, and {@code close()} waited for every job without limit.
 */
// A test that fails must fail, not hang the build with the job it could not stop.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CancellationTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final Schema SCHEMA = FeatureSet.builder("events").key("id", FieldType.STRING).eventTime("ts")
      .feature("v", FieldType.LONG).backfillStart(START).build().schema();
  /** Far beyond the few seconds a cancel takes, so that a slow machine does not fail the test. */
  private static final Duration PROMPTLY = Duration.ofSeconds(20);

  private final InMemoryOfflineStore offline = InMemoryOfflineStore.create();
  private final InMemoryOnlineStore online = InMemoryOnlineStore.create();
  private final CountDownLatch released = new CountDownLatch(1);
  private BackfillClient client;

  @BeforeEach
  void load() {
    client = client(Duration.ofSeconds(30));
    client.ingest("events", List.of(row("a", START.plusSeconds(10), 1), row("b", START.plusSeconds(20), 2)));
  }

  @AfterEach
  void release() {
    released.countDown();
    client.close();
  }

  private BackfillClient client(Duration closeTimeout) {
    BackfillClient built = BackfillClient.builder().offlineStore(offline).onlineStore(online)
        .clock(Clock.fixed(START.plus(Duration.ofDays(1)), ZoneOffset.UTC)).closeTimeout(closeTimeout).build();
    built.register(FeatureSet.builder("events").key("id", FieldType.STRING).eventTime("ts")
        .feature("v", FieldType.LONG).backfillStart(START).build());
    return built;
  }

  private static Row row(String id, Instant ts, long v) {
    return Row.of(SCHEMA, id, ts, v);
  }

  /** A source whose read blocks (interruptibly) until the test ends. */
  private DataSource blockedInRead(CountDownLatch reading) {
    return source(range -> {
      reading.countDown();
      try {
        released.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException("read interrupted", e);
      }
      return Stream.empty();
    });
  }

  @Test
  void aCancelReachesASourceWhoseReadNeverReturns() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    DataSource stuck = blockedInRead(reading);

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600)).source(stuck).submit();

    assertThat(reading.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertCancelsPromptlyChangingNothing(job);
  }

  @Test
  void aCancelClosesAStreamBlockedInItsNextRow() throws Exception {
    // The source ignores interrupts: only closing its stream releases it, as with a JDBC read.
    CountDownLatch reading = new CountDownLatch(1);
    AtomicBoolean closed = new AtomicBoolean();
    DataSource stuck = source(range -> {
      Iterator<Row> rows = new Iterator<>() {
        @Override
        public boolean hasNext() {
          reading.countDown();
          while (!closed.get()) {
            LockSupport.parkNanos(1_000_000);
          }
          throw new IllegalStateException("the read was closed");
        }

        @Override
        public Row next() {
          throw new NoSuchElementException();
        }
      };
      return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
          .onClose(() -> closed.set(true));
    });

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600)).source(stuck).submit();

    assertThat(reading.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertCancelsPromptlyChangingNothing(job);
    assertThat(closed).isTrue();
  }

  @Test
  void aWorkerThatIgnoresTheCancelIsAbandonedAndTheJobStillEndsCancelled() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    DataSource deaf = source(range -> {
      reading.countDown();
      while (released.getCount() > 0) {
        LockSupport.parkNanos(1_000_000);
      }
      return Stream.empty();
    });

    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600)).source(deaf).submit();

    assertThat(reading.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertCancelsPromptlyChangingNothing(job);
  }

  @Test
  void closeCancelsAStuckJobAndReturnsWithinItsBound() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    DataSource stuck = blockedInRead(reading);
    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600)).source(stuck).submit();
    assertThat(reading.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();

    CompletableFuture.runAsync(client::close).get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);

    assertThat(job.status()).isEqualTo(BackfillStatus.CANCELLED);
    assertStoresUnchanged();
  }

  @Test
  void closeAbandonsAJobStuckInItsStoreAfterTheCloseTimeout() throws Exception {
    // Not cancellable: the job is in its offline commit, which the store never finishes.
    CountDownLatch committing = new CountDownLatch(1);
    OfflineStore hanging = new HangingCommitStore(offline, committing, released);
    client.close();
    client = BackfillClient.builder().offlineStore(hanging).onlineStore(online).closeTimeout(Duration.ofMillis(500))
        .clock(Clock.fixed(START.plus(Duration.ofDays(1)), ZoneOffset.UTC)).build();
    client.register(FeatureSet.builder("events").key("id", FieldType.STRING).eventTime("ts")
        .feature("v", FieldType.LONG).backfillStart(START).build());
    BackfillJob job = client.backfill("events").between(START, START.plusSeconds(3600))
        .source(InMemoryDataSource.of(SCHEMA, "ts", List.of(row("a", START.plusSeconds(30), 3)))).submit();
    assertThat(committing.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();

    CompletableFuture.runAsync(client::close).get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);

    assertThat(job.status()).as("abandoned, still in its commit").isEqualTo(BackfillStatus.RUNNING);
    assertThat(job.commitStage()).isEqualTo(BackfillJob.CommitStage.COMMITTING);
    assertStoresUnchanged();
  }

  private void assertCancelsPromptlyChangingNothing(BackfillJob job) {
    assertThat(job.cancel()).isTrue();
    assertThatThrownBy(() -> job.await(PROMPTLY)).as("the job ends CANCELLED instead of waiting for its source")
        .isInstanceOf(BackfillCancelledException.class);
    assertThat(job.commitStage()).isEqualTo(BackfillJob.CommitStage.BEFORE_COMMIT);
    assertStoresUnchanged();
  }

  private void assertStoresUnchanged() {
    try (Stream<Row> rows = offline.scan("events", TimeRange.all())) {
      assertThat(rows.toList()).containsExactlyInAnyOrder(row("a", START.plusSeconds(10), 1), row("b", START.plusSeconds(20), 2));
    }
    assertThat(online.get("events", EntityKey.of("a"))).contains(row("a", START.plusSeconds(10), 1));
    assertThat(online.get("events", EntityKey.of("b"))).contains(row("b", START.plusSeconds(20), 2));
  }

  private static DataSource source(java.util.function.Function<TimeRange, Stream<Row>> read) {
    return new DataSource() {
      @Override
      public Schema schema() {
        return SCHEMA;
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        return read.apply(range);
      }
    };
  }

  /** Forwards, except that a commit signals and then blocks, ignoring interrupts, until released. */
  private static final class HangingCommitStore extends ForwardingOfflineStore {
    private final CountDownLatch committing;
    private final CountDownLatch released;

    HangingCommitStore(OfflineStore delegate, CountDownLatch committing, CountDownLatch released) {
      super(delegate);
      this.committing = committing;
      this.released = released;
    }

    @Override
    protected OfflineReplacement wrap(OfflineReplacement replacement) {
      return new ForwardingOfflineReplacement(replacement) {
        @Override
        public Commit commit() {
          committing.countDown();
          while (released.getCount() > 0) {
            LockSupport.parkNanos(1_000_000);
          }
          throw new IllegalStateException("released without committing");
        }
      };
    }
  }
}
