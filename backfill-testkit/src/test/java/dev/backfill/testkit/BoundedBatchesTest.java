package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine never holds the interval: rows move from the source to the store in bounded
 * batches, and a store that is slow to accept them slows the reading down. Checked by counting
 * the rows the source has produced but the store has not yet received, at every batch, with a
 * store that keeps counts instead of rows so that the test itself stays small.
 */
class BoundedBatchesTest {
  private static final int ENGINE_BATCH = 8_192;
  private static final long ROWS = 400_000;
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  @Test
  void rowsInFlightStayWithinOneBatchPerWorker() {
    FeatureSet featureSet = FeatureSet.builder("events").key("id", FieldType.LONG).eventTime("ts")
        .feature("v", FieldType.LONG).backfillStart(START).build();
    AtomicLong produced = new AtomicLong();
    DataSource lazy = new DataSource() {
      @Override
      public Schema schema() {
        return featureSet.schema();
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        // One row per second of the slice, generated on demand.
        long first = Math.max(0, range.start().getEpochSecond() - START.getEpochSecond());
        long last = Math.min(ROWS, range.stop().getEpochSecond() - START.getEpochSecond());
        return LongStream.range(first, last).mapToObj(i -> {
          produced.incrementAndGet();
          return Row.of(featureSet.schema(), i % 1_000, START.plusSeconds(i), i);
        });
      }
    };
    CountingOfflineStore offline = new CountingOfflineStore(produced);
    try (InMemoryOnlineStore online = InMemoryOnlineStore.create();
         BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online)
             .clock(Clock.fixed(START.plus(Duration.ofDays(30)), ZoneOffset.UTC)).build()) {
      client.register(featureSet.toBuilder().source(lazy).build());
      BackfillResult result = client.backfill("events").between(START, START.plusSeconds(ROWS))
          .clusterTemplate(ClusterTemplate.MEDIUM).run();
      assertThat(result.rowsWritten()).isEqualTo(ROWS);
      int workers = Math.min(ClusterTemplate.MEDIUM.parallelism(), Runtime.getRuntime().availableProcessors());
      assertThat(offline.maxInFlight.get()).as("rows read but not yet handed to the store")
          .isLessThanOrEqualTo((long) workers * (ENGINE_BATCH + 1));
      assertThat(offline.batches.get()).isGreaterThanOrEqualTo(ROWS / ENGINE_BATCH);
      assertThat(client.readOnline("events", EntityKey.of(999L))).hasValueSatisfying(
          row -> assertThat(row.getLong("v")).isEqualTo(ROWS - 1));
    }
  }

  /** Counts staged rows and remembers the latest row per key; keeps nothing else. */
  private static final class CountingOfflineStore implements OfflineStore {
    final AtomicLong maxInFlight = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    private final AtomicLong produced;
    private final AtomicLong received = new AtomicLong();
    private final Map<EntityKey, Row> latest = new ConcurrentHashMap<>();
    private final Set<String> commits = ConcurrentHashMap.newKeySet();
    private TableSpec spec;

    CountingOfflineStore(AtomicLong produced) {
      this.produced = produced;
    }

    @Override
    public void createTable(TableSpec table) {
      spec = table;
    }

    @Override
    public Optional<TableSpec> table(String name) {
      return Optional.ofNullable(spec);
    }

    @Override
    public void append(String table, List<Row> rows) {
      throw new UnsupportedOperationException("not needed by this test");
    }

    @Override
    public OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId) {
      Map<EntityKey, Row> staged = new ConcurrentHashMap<>();
      return new OfflineReplacement() {
        @Override
        public void write(List<Row> rows) {
          long inFlight = produced.get() - received.get();
          maxInFlight.accumulateAndGet(inFlight, Math::max);
          received.addAndGet(rows.size());
          batches.incrementAndGet();
          for (Row row : rows) {
            staged.merge(spec.keyOf(row), row, spec::laterOf);
          }
        }

        @Override
        public Commit commit() {
          latest.putAll(staged);
          commits.add(commitId);
          return new Commit(0, received.get());
        }

        @Override
        public Stream<EntityKey> changedKeys() {
          return staged.keySet().stream();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public boolean isCommitted(String table, String commitId) {
      return commits.contains(commitId);
    }

    @Override
    public Stream<Row> scan(String table, TimeRange range) {
      throw new UnsupportedOperationException("not needed by this test");
    }

    @Override
    public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
      Map<EntityKey, Row> result = new java.util.HashMap<>();
      keys.forEach(k -> Optional.ofNullable(latest.get(k)).ifPresent(r -> result.put(k, r)));
      return result;
    }

    @Override
    public void close() {}
  }
}
