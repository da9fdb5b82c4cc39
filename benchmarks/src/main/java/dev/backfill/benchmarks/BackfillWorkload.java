package dev.backfill.benchmarks;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.InMemoryOfflineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One interval backfill of a {@link GeneratedSource} into fresh in-memory stores, two ways:
 *
 * <ul>
 *   <li>{@link #runEngine()}: through the engine, {@code client.backfill(name).between(start,
 *       stop).run()} with the identity transform, on a client built over the two stores;</li>
 *   <li>{@link #runBaseline()}: the same rows from the same generator written into the same kind
 *       of stores through the SPI directly, on the calling thread: no planning, no validation,
 *       no slicing, no job, no lock, no diff against the online store.</li>
 * </ul>
 *
 * Both time everything from creating the tables to the last online write; the stores are
 * created (empty, which is cheap) before the clock starts. The returned {@link Outcome} keeps
 * the stores so that a test can compare what the two paths wrote.
 */
public final class BackfillWorkload {
  /** Rows per {@link OfflineReplacement#write} in the baseline: the engine's batch size. */
  public static final int ROW_BATCH = 8_192;
  /** Keys per {@code latest} + online write in the baseline: the engine's reconciliation batch. */
  public static final int KEY_BATCH = 2_048;
  /** Where the generated rows start: 2024-01-01T00:00:00Z. */
  public static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  /** How long a time the generated rows are spread over. */
  public static final Duration SPAN = Duration.ofDays(50);

  private static final AtomicLong BASELINE_COMMITS = new AtomicLong();

  private final FeatureSet featureSet;
  private final GeneratedSource source;

  private BackfillWorkload(long rows, long keys) {
    this.source = GeneratedSource.of(rows, keys, START, SPAN);
    this.featureSet = GeneratedSource.featureSet(START).toBuilder().source(source).build();
  }

  /** {@code rows} rows over {@code keys} keys, spread evenly over {@link #SPAN} from {@link #START}. */
  public static BackfillWorkload create(long rows, long keys) {
    return new BackfillWorkload(rows, keys);
  }

  public FeatureSet featureSet() {
    return featureSet;
  }

  public GeneratedSource source() {
    return source;
  }

  /** The backfill's interval: every generated row is inside it. */
  public TimeRange range() {
    return source.range();
  }

  /** Which path produced an outcome. */
  public enum Path { ENGINE, BASELINE }

  /**
   * What one run did.
   *
   * @param nanos wall time from creating the tables to the last online write
   * @param offlineRows rows committed to the offline store
   * @param onlineKeys online keys written
   */
  public record Outcome(Path path, long nanos, long offlineRows, long onlineKeys,
      InMemoryOfflineStore offline, InMemoryOnlineStore online) {
    public double rowsPerSecond() {
      return offlineRows / (nanos / 1e9);
    }
  }

  /** The backfill through the engine. */
  public Outcome runEngine() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    TimeRange range = range();
    long start = System.nanoTime();
    BackfillResult result;
    try (BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online).build()) {
      client.register(featureSet);
      result = client.backfill(featureSet.name()).between(range.start(), range.stop()).run();
    }
    long nanos = System.nanoTime() - start;
    return new Outcome(Path.ENGINE, nanos, result.rowsWritten(), result.onlineKeysWritten(), offline, online);
  }

  /**
   * The same rows into the same stores through the SPI alone.
   *
   * <p><b>Online step.</b> The contract asks for {@code N'(k) = latest(O', k)} for every key the
   * backfill changed, where {@code O'} is the offline state after the commit: rows outside the
   * interval (older or newer than it) take part, and a key whose rows were all deleted must be
   * removed. The engine cannot know that the store was empty, so it has to ask the offline store;
   * computing the latest row per key in one pass over the new rows would be correct here only
   * because these stores start empty, and would make the baseline do less than any correct
   * engine must. So the baseline does what the engine must do and nothing more: it takes the
   * replacement's {@link OfflineReplacement#changedKeys()} after the commit, asks
   * {@code offline.latest} for them in batches of {@link #KEY_BATCH}, and writes each latest row
   * with {@link OnlineWrite#put} (unconditional). Unlike the engine it does not read the online
   * rows first to skip unchanged keys, takes no lock, and evaluates no fence condition.
   */
  public Outcome runBaseline() {
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    TimeRange range = range();
    TableSpec table = featureSet.table();
    String name = table.name();
    long start = System.nanoTime();
    offline.createTable(table);
    online.createTable(table);
    long onlineKeys = 0;
    OfflineReplacement.Commit commit;
    try (OfflineReplacement replacement = offline.beginReplace(name, Optional.of(range),
        "baseline-" + BASELINE_COMMITS.incrementAndGet())) {
      List<Row> batch = new ArrayList<>(ROW_BATCH);
      try (Stream<Row> rows = source.read(range)) {
        Iterator<Row> iterator = rows.iterator();
        while (iterator.hasNext()) {
          batch.add(iterator.next());
          if (batch.size() == ROW_BATCH) {
            replacement.write(batch);
            batch = new ArrayList<>(ROW_BATCH);
          }
        }
      }
      if (!batch.isEmpty()) {
        replacement.write(batch);
      }
      commit = replacement.commit();
      try (Stream<EntityKey> changed = replacement.changedKeys()) {
        Iterator<EntityKey> iterator = changed.iterator();
        List<EntityKey> keys = new ArrayList<>(KEY_BATCH);
        while (iterator.hasNext()) {
          keys.add(iterator.next());
          if (keys.size() == KEY_BATCH || !iterator.hasNext()) {
            onlineKeys += writeLatest(offline, online, name, keys);
            keys = new ArrayList<>(KEY_BATCH);
          }
        }
      }
    }
    long nanos = System.nanoTime() - start;
    return new Outcome(Path.BASELINE, nanos, commit.rowsAdded(), onlineKeys, offline, online);
  }

  private static long writeLatest(InMemoryOfflineStore offline, InMemoryOnlineStore online, String table,
      List<EntityKey> keys) {
    Map<EntityKey, Row> latest = offline.latest(table, keys);
    List<OnlineWrite> writes = new ArrayList<>(latest.size());
    for (EntityKey key : keys) {
      Row row = latest.get(key);
      // A key without an offline row would be deleted; none occurs here (every changed key
      // was added), but the baseline keeps the step so that it stays correct.
      writes.add(row == null ? OnlineWrite.delete(key) : OnlineWrite.put(key, row));
    }
    return online.write(table, writes);
  }
}
