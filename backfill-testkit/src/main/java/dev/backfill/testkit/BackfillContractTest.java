package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.BackfillTimes;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FeatureSetNotFoundException;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.InvalidKeyException;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replacement contract (DESIGN.md section 2) checked end to end: the engine behind
 * {@link BackfillClient#builder()} running on the stores a subclass returns. A store plugin
 * passes it by extending this class:
 *
 * <pre>{@code
 * class DuckDbBackfillContractTest extends BackfillContractTest {
 *   @TempDir Path dir;
 *   protected OfflineStore createOfflineStore() { return DuckDbOfflineStore.open(dir.resolve("o.duckdb")); }
 *   protected OnlineStore createOnlineStore() { return InMemoryOnlineStore.create(); }
 * }
 * }</pre>
 *
 * Each test gets fresh, empty stores, which the kit closes afterwards. Nothing here measures
 * time: where a test waits for a concurrent event it waits on a latch, with a generous bound
 * only so that a broken implementation fails instead of hanging.
 */
public abstract class BackfillContractTest {
  /** A bound on waits for events that a correct implementation makes happen at once. */
  protected static final long WAIT_SECONDS = 30;
  protected static final Instant D0 = Instant.parse("2024-01-01T00:00:00Z");
  protected static final Instant NOW = Instant.parse("2024-02-01T00:00:00Z");
  protected static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String NAME = "trips";

  private OfflineStore offline;
  private OnlineStore online;
  private final List<BackfillClient> clients = new ArrayList<>();
  @TempDir
  private Path tempDir;

  /** A fresh, empty offline store; the kit closes it after the test. */
  protected abstract OfflineStore createOfflineStore();

  /** A fresh, empty online store; the kit closes it after the test. */
  protected abstract OnlineStore createOnlineStore();

  @BeforeEach
  void createStores() {
    offline = createOfflineStore();
    online = createOnlineStore();
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (BackfillClient client : clients) {
      client.close();
    }
    online.close();
    offline.close();
  }

  // ---------------------------------------------------------------- fixtures

  protected static FeatureSet trips() {
    return FeatureSet.builder(NAME).key("driver", FieldType.STRING).eventTime("ts")
        .feature("fare", FieldType.DOUBLE).feature("rides", FieldType.LONG).feature("note", FieldType.STRING)
        .backfillStart(D0).build();
  }

  protected static Schema schema() {
    return trips().schema();
  }

  protected static Instant day(int n) {
    return D0.plus(n, ChronoUnit.DAYS);
  }

  protected static Row trip(String driver, Instant ts, Double fare, Long rides) {
    return Row.of(schema(), driver, ts, fare, rides, null);
  }

  /** A client on the test's stores; the kit closes it. */
  protected BackfillClient client() {
    return client(online, Optional.empty());
  }

  private BackfillClient client(OnlineStore onlineStore, Optional<Path> history) {
    return client(offline, onlineStore, history, CLOCK);
  }

  private BackfillClient client(OfflineStore offlineStore, OnlineStore onlineStore, Optional<Path> history, Clock clock) {
    return client(offlineStore, onlineStore, history, clock, job -> { });
  }

  private BackfillClient client(OfflineStore offlineStore, OnlineStore onlineStore, Optional<Path> history, Clock clock,
      java.util.function.Consumer<BackfillJob> recoveries) {
    BackfillClient.Builder builder = BackfillClient.builder().offlineStore(offlineStore).onlineStore(onlineStore).clock(clock)
        .onRecovery(recoveries);
    history.ifPresent(builder::jobHistory);
    BackfillClient client = builder.build();
    clients.add(client);
    return client;
  }

  private static BackfillClient registered(BackfillClient client) {
    client.register(trips());
    return client;
  }

  private List<Row> offlineRows(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline(NAME, TimeRange.all())) {
      return new ReplacementOracle(trips()).canonical(rows.toList());
    }
  }

  private Map<EntityKey, Row> onlineRows(BackfillClient client, Set<EntityKey> keys) {
    Map<EntityKey, Row> rows = new HashMap<>();
    for (EntityKey key : keys) {
      client.readOnline(NAME, key).ifPresent(row -> rows.put(key, row));
    }
    return rows;
  }

  private void assertMatchesOracle(BackfillClient client, ReplacementOracle oracle, Set<EntityKey> keys) {
    assertThat(offlineRows(client)).as("offline store").containsExactlyElementsOf(oracle.offline());
    Map<EntityKey, Row> expected = new HashMap<>(oracle.online());
    expected.keySet().retainAll(keys);
    assertThat(onlineRows(client, keys)).as("online store").isEqualTo(expected);
  }

  private static DataSource source(List<Row> rows) {
    return InMemoryDataSource.of(schema(), "ts", rows);
  }

  /** Ten days of one row per day for drivers a, b and c, ingested. */
  private static List<Row> tenDays(BackfillClient client) {
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      for (String driver : List.of("a", "b", "c")) {
        rows.add(trip(driver, day(d), (double) d, (long) d));
      }
    }
    client.ingest(NAME, rows);
    return rows;
  }

  private static Set<EntityKey> keys(String... drivers) {
    Set<EntityKey> keys = new HashSet<>();
    for (String driver : drivers) {
      keys.add(EntityKey.of(driver));
    }
    return keys;
  }

  // ---------------------------------------------------------------- the replacement

  @Test
  void intervalBackfillReplacesExactlyTheHalfOpenRange() {
    BackfillClient client = registered(client());
    ReplacementOracle oracle = new ReplacementOracle(trips());
    oracle.ingest(tenDays(client));
    // Corrected rows: one at exactly start (inside), one just before stop, one at stop (outside).
    List<Row> corrected = List.of(trip("a", day(3), 300.0, 3L), trip("b", day(5).minusNanos(1000), 500.0, 5L),
        trip("c", day(6), 600.0, 6L));
    BackfillResult result = client.backfill(NAME).between(day(3), day(6)).source(source(corrected)).run();
    oracle.backfill(TimeRange.of(day(3), day(6)), false, corrected.subList(0, 2));

    assertThat(result.rowsWritten()).isEqualTo(2);
    assertThat(result.offlineRowsDeleted()).as("days 3, 4, 5 of three drivers").isEqualTo(9);
    assertThat(result.range()).isEqualTo(TimeRange.of(day(3), day(6)));
    assertThat(result.reset()).isFalse();
    assertMatchesOracle(client, oracle, keys("a", "b", "c"));
    assertThat(client.readOnline(NAME, EntityKey.of("a")).orElseThrow().getDouble("fare"))
        .as("rows after the range are untouched, so the latest row of a is still day 9").isEqualTo(9.0);
  }

  @Test
  void resetDeletesEverythingThenPopulatesTheRange() {
    BackfillClient client = registered(client());
    tenDays(client);
    List<Row> fresh = List.of(trip("a", day(1), 11.0, 1L), trip("z", day(2), 22.0, 2L));
    BackfillResult result = client.backfill(NAME).reset().between(day(0), day(5)).source(source(fresh)).run();

    assertThat(result.reset()).isTrue();
    assertThat(result.offlineRowsDeleted()).isEqualTo(30);
    assertThat(result.rowsWritten()).isEqualTo(2);
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(fresh);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(fresh.get(0));
    assertThat(client.readOnline(NAME, EntityKey.of("z"))).contains(fresh.get(1));
    assertThat(client.readOnline(NAME, EntityKey.of("b"))).as("a reset removes keys left without rows").isEmpty();
    assertThat(result.onlineKeysDeleted()).isEqualTo(2);
    assertThat(result.onlineKeysWritten()).isEqualTo(2);
  }

  @Test
  void emptyReplacementDeletesTheRangeAndServesOlderRowsOrNothing() {
    BackfillClient client = registered(client());
    client.ingest(NAME, List.of(trip("old", day(1), 1.0, 1L), trip("old", day(5), 5.0, 5L), trip("gone", day(6), 6.0, 6L)));
    BackfillResult result = client.backfill(NAME).between(day(4), day(8)).source(source(List.of())).run();

    assertThat(result.rowsWritten()).isZero();
    assertThat(result.offlineRowsDeleted()).isEqualTo(2);
    assertThat(client.readOnline(NAME, EntityKey.of("old"))).as("falls back to its older row")
        .contains(trip("old", day(1), 1.0, 1L));
    assertThat(client.readOnline(NAME, EntityKey.of("gone"))).isEmpty();
    assertThat(result.onlineKeysWritten()).isEqualTo(1);
    assertThat(result.onlineKeysDeleted()).isEqualTo(1);
  }

  @Test
  void correctedRowWithTheSameEventTimeReplacesTheOnlineRow() {
    BackfillClient client = registered(client());
    client.ingest(NAME, List.of(trip("a", day(2), 50.0, 5L)));
    // "Newest event time wins" would keep 50.0: the correction has the same event time and a lower fare.
    client.backfill(NAME).between(day(2), day(3)).source(source(List.of(trip("a", day(2), 10.0, 1L)))).run();
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(2), 10.0, 1L));
  }

  @Test
  void duplicateRowsAreKeptOffline() {
    BackfillClient client = registered(client());
    Row row = trip("a", day(1), 1.0, 1L);
    client.backfill(NAME).between(day(0), day(2)).source(source(List.of(row, row, row))).run();
    client.ingest(NAME, List.of(row));
    assertThat(offlineRows(client)).containsExactly(row, row, row, row);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(row);
  }

  @Test
  void tiesOnEventTimeAreBrokenByTheDocumentedRowOrder() {
    // Same key and event time: the greater row in schema-column order wins (fare 2.0 > 1.0),
    // whatever the order the rows arrive in.
    Row low = trip("a", day(1), 1.0, 9L);
    Row high = trip("a", day(1), 2.0, 0L);
    BackfillClient client = registered(client());
    client.backfill(NAME).between(day(0), day(2)).source(source(List.of(high, low))).run();
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(high);
    client.backfill(NAME).between(day(0), day(2)).source(source(List.of(low, high))).run();
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(high);
    Row nullFare = trip("a", day(1), null, 99L);
    client.backfill(NAME).between(day(0), day(2)).source(source(List.of(nullFare, low))).run();
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).as("null is below any value").contains(low);
  }

  @Test
  void nullFeaturesRoundTrip() {
    BackfillClient client = registered(client());
    Row row = Row.of(schema(), "a", day(1), null, null, null);
    client.backfill(NAME).between(day(0), day(2)).source(source(List.of(row))).run();
    assertThat(offlineRows(client)).containsExactly(row);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(row);
  }

  @Test
  void aBackfillCanUseItsOwnSourceAndTransform() {
    List<Row> registeredRows = List.of(trip("a", day(1), 1.0, 1L));
    BackfillClient client = client();
    client.register(trips().toBuilder().source(source(registeredRows)).build());
    client.backfill(NAME).between(day(0), day(5)).run();
    assertThat(offlineRows(client)).containsExactlyElementsOf(registeredRows);

    Transform tenfold = Transform.map(schema(), r -> Row.of(schema(), r.get(0), r.get(1),
        r.getDouble("fare") * 10, r.get(3), "corrected"));
    client.backfill(NAME).between(day(0), day(5)).source(source(List.of(trip("a", day(2), 2.0, 2L))))
        .transform(tenfold).run();
    assertThat(offlineRows(client)).containsExactly(Row.of(schema(), "a", day(2), 20.0, 2L, "corrected"));
    client.backfill(NAME).between(day(0), day(5)).run();
    assertThat(offlineRows(client)).as("the next backfill uses the feature set's own source again")
        .containsExactlyElementsOf(registeredRows);
  }

  @Test
  void lookbackReadsHistoryBeforeTheStartAndDropsItsOutput() {
    List<TimeRange> reads = new CopyOnWriteArrayList<>();
    List<Row> rows = List.of(trip("a", day(1), 1.0, 1L), trip("a", day(3), 3.0, 3L));
    DataSource recording = new DataSource() {
      @Override
      public Schema schema() {
        return BackfillContractTest.schema();
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        reads.add(range);
        return rows.stream().filter(r -> range.contains(r.getInstant("ts")));
      }
    };
    Transform withLookback = new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return input;
      }

      @Override
      public Duration lookback() {
        return Duration.ofDays(2);
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input;
      }
    };
    BackfillClient client = registered(client());
    BackfillResult result = client.backfill(NAME).between(day(2), day(4)).source(recording).transform(withLookback).run();
    assertThat(reads).extracting(TimeRange::start).contains(day(0));
    assertThat(result.rowsDroppedOutOfRange()).as("the day-1 row is lookback context").isEqualTo(1);
    assertThat(offlineRows(client)).containsExactly(trip("a", day(3), 3.0, 3L));
  }

  @Test
  void outputRowsOutsideTheRangeAreDroppedAndCounted() {
    List<Row> rows = List.of(trip("a", day(0), 0.0, 0L), trip("a", day(2), 2.0, 2L), trip("a", day(4), 4.0, 4L),
        trip("a", day(9), 9.0, 9L));
    DataSource everything = new DataSource() {
      @Override
      public Schema schema() {
        return BackfillContractTest.schema();
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        return rows.stream(); // a superset, as the SPI allows
      }
    };
    BackfillClient client = registered(client());
    BackfillResult result = client.backfill(NAME).between(day(1), day(5)).source(everything).run();
    assertThat(result.rowsDroppedOutOfRange()).isEqualTo(2);
    assertThat(result.rowsWritten()).isEqualTo(2);
    assertThat(offlineRows(client)).containsExactly(rows.get(1), rows.get(2));
  }

  @Test
  void sourceRowsWithoutAnEventTimeAreCountedAndNeverWritten() {
    List<Row> rows = List.of(trip("a", day(1), 1.0, 1L), trip("b", null, 2.0, 2L), trip("c", day(2), 3.0, 3L),
        trip("d", null, 4.0, 4L));
    BackfillClient client = registered(client());
    BackfillResult result = client.backfill(NAME).between(day(0), day(5)).source(source(rows)).run();
    assertThat(result.rowsWithoutEventTime()).isEqualTo(2);
    assertThat(result.rowsRead()).isEqualTo(2);
    assertThat(result.rowsWritten()).isEqualTo(2);
    assertThat(offlineRows(client)).containsExactly(rows.get(0), rows.get(2));
    assertThat(client.readOnline(NAME, EntityKey.of("b"))).isEmpty();
    assertThat(client.jobs(NAME).get(0).result()).contains(result);
  }

  // ---------------------------------------------------------------- time precision and the supported range

  @Test
  void boundsFinerThanAMicrosecondKeepTheRowsOutsideTheRangeAndReplaceThoseInside() {
    // Issue 10 point 1: a store that kept the bound's microsecond and dropped its nanoseconds
    // deleted the row at exactly T0 for a range starting 500 ns after it, and kept the old row at
    // T0 beside the new one for a range ending 500 ns after it.
    BackfillClient client = registered(client());
    Instant t0 = day(3);
    Row atT0 = trip("a", t0, 1.0, 1L);
    Row later = trip("b", t0.plus(Duration.ofMinutes(30)), 2.0, 2L);
    client.ingest(NAME, List.of(atT0, later));

    BackfillResult after = client.backfill(NAME).between(t0.plusNanos(500), t0.plus(Duration.ofHours(1)))
        .source(source(List.of())).run();
    assertThat(after.range()).as("rounded up to the next whole microsecond")
        .isEqualTo(TimeRange.of(t0.plusNanos(1_000), t0.plus(Duration.ofHours(1))));
    assertThat(after.offlineRowsDeleted()).isEqualTo(1);
    assertThat(offlineRows(client)).containsExactly(atT0);

    Row corrected = trip("a", t0, 10.0, 10L);
    BackfillResult before = client.backfill(NAME).between(t0.minus(Duration.ofHours(1)), t0.plusNanos(500))
        .source(source(List.of(corrected))).run();
    assertThat(before.range().stop()).isEqualTo(t0.plusNanos(1_000));
    assertThat(before.offlineRowsDeleted()).isEqualTo(1);
    assertThat(offlineRows(client)).as("the old row at T0 is replaced, not kept beside the new one").containsExactly(corrected);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(corrected);
  }

  @Test
  void aNanosecondClocksNowIsRoundedUpAsTheDefaultStop() {
    // Clock.systemUTC() gives nanoseconds: the default stop is the clock's now, rounded up.
    BackfillClient client = registered(client(offline, online, Optional.empty(), Clock.fixed(NOW.plusNanos(500), ZoneOffset.UTC)));
    Row atNow = trip("a", NOW, 1.0, 1L);
    client.ingest(NAME, List.of(atNow));
    Row corrected = trip("a", NOW, 2.0, 2L);

    BackfillPlan plan = client.backfill(NAME).startTime(day(30)).source(source(List.of(corrected))).plan();
    assertThat(plan.range()).isEqualTo(TimeRange.of(day(30), NOW.plusNanos(1_000)));
    assertThat(plan.stopClamped()).isFalse();
    BackfillResult result = client.backfill(NAME).startTime(day(30)).source(source(List.of(corrected))).run();
    assertThat(result.offlineRowsDeleted()).isEqualTo(1);
    assertThat(offlineRows(client)).containsExactly(corrected);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(corrected);
  }

  @Test
  void theFirstAndLastSupportedInstantsWorkEndToEnd() {
    // Issue 10 point 11: the DuckDB store overflowed outside 1677..2262 ("long overflow").
    Instant first = BackfillTimes.SUPPORTED_START;
    Instant last = BackfillTimes.SUPPORTED_STOP.minusNanos(1_000);
    BackfillClient client = registered(client(offline, online, Optional.empty(),
        Clock.fixed(BackfillTimes.SUPPORTED_STOP, ZoneOffset.UTC)));
    Row early = trip("early", first, 1.0, 1L);
    Row sentinel = trip("late", Instant.parse("9999-12-31T00:00:00Z"), 2.0, 2L);
    Row late = trip("late", last, 3.0, 3L);
    client.ingest(NAME, List.of(early, sentinel, late));
    assertThat(offlineRows(client)).containsExactlyInAnyOrder(early, sentinel, late);
    assertThat(client.readOnline(NAME, EntityKey.of("early"))).contains(early);
    assertThat(client.readOnline(NAME, EntityKey.of("late"))).contains(late);
    assertThat(client.offlineContents(NAME, TimeRange.all())).isEqualTo(new RangeContents(3, 2));

    BackfillPlan everything = client.backfill(NAME).reset().startTime(first).source(source(List.of())).plan();
    assertThat(everything.range()).isEqualTo(TimeRange.all());
    assertThat(everything.slices()).as("round times: whole millennia").hasSize(10)
        .allSatisfy(slice -> assertThat(slice.start().atZone(ZoneOffset.UTC).getDayOfYear()).isEqualTo(1));

    Row correctedEarly = trip("early", first, 10.0, 10L);
    Row correctedLate = trip("late", last, 30.0, 30L);
    BackfillResult reset = client.backfill(NAME).reset().startTime(first)
        .source(source(List.of(correctedEarly, correctedLate))).run();
    assertThat(reset.rowsWritten()).isEqualTo(2);
    assertThat(reset.offlineRowsDeleted()).isEqualTo(3);
    assertThat(offlineRows(client)).containsExactlyInAnyOrder(correctedEarly, correctedLate);
    assertThat(client.readOnline(NAME, EntityKey.of("late"))).contains(correctedLate);

    BackfillResult lastDay = client.backfill(NAME).startTime(Instant.parse("9999-12-31T00:00:00Z"))
        .source(source(List.of(sentinel))).run();
    assertThat(lastDay.offlineRowsDeleted()).isEqualTo(1);
    assertThat(offlineRows(client)).containsExactlyInAnyOrder(correctedEarly, sentinel);
    assertThat(client.readOnline(NAME, EntityKey.of("late"))).as("its later row was replaced").contains(sentinel);
    BackfillResult firstDay = client.backfill(NAME).between(first, first.plus(Duration.ofDays(1))).source(source(List.of(early))).run();
    assertThat(firstDay.offlineRowsDeleted()).isEqualTo(1);
    assertThat(client.readOnline(NAME, EntityKey.of("early"))).contains(early);
  }

  @Test
  void timesJustOutsideTheSupportedRangeAreRefusedNamingTheValueAndTheRangeAndChangeNothing() {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    Instant tooEarly = BackfillTimes.SUPPORTED_START.minusNanos(1_000);
    String range = "[0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)";

    assertThatThrownBy(() -> client.ingest(NAME, List.of(trip("x", day(1), 1.0, 1L), trip("x", tooEarly, 1.0, 1L))))
        .isInstanceOf(InvalidRowException.class).hasMessageContaining(NAME).hasMessageContaining("'ts'")
        .hasMessageContaining(tooEarly.toString()).hasMessageContaining(range);
    assertThatThrownBy(() -> client.backfill(NAME).startTime(tooEarly).source(source(List.of())).plan())
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessage("feature set '" + NAME + "': start " + tooEarly + " is outside the supported range " + range);
    assertThatThrownBy(() -> client.readOffline(NAME, TimeRange.of(Instant.MIN, D0)))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining(NAME)
        .hasMessageContaining(range).hasMessageContaining("TimeRange.all()");
    Transform toYear10000 = Transform.map(schema(), r -> Row.of(schema(), r.get(0), BackfillTimes.SUPPORTED_STOP,
        r.get(2), r.get(3), r.get(4)));
    BackfillJob job = client.backfill(NAME).between(day(2), day(4)).source(source(before)).transform(toYear10000).submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("+10000-01-01T00:00:00Z").hasMessageContaining(range)
        .cause().isInstanceOf(InvalidRowException.class);

    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(client.readOnline(NAME, EntityKey.of("x"))).isEmpty();
  }

  @Test
  void aRangeFromTheYear1600ToTheYear3000IsReadAndReplacedLikeAnyOther() {
    // Issue 17 point 3: outside 1677..2262 the DuckDB store failed with "long overflow".
    BackfillClient client = registered(client(offline, online, Optional.empty(),
        Clock.fixed(BackfillTimes.SUPPORTED_STOP, ZoneOffset.UTC)));
    Row y1600 = trip("old", Instant.parse("1600-03-01T00:00:00Z"), 1.0, 1L);
    Row y2262 = trip("old", Instant.parse("2262-04-12T00:00:00.000001Z"), 2.0, 2L);
    Row y2999 = trip("new", Instant.parse("2999-12-31T23:59:59.999999Z"), 3.0, 3L);
    client.ingest(NAME, List.of(y1600, y2262, y2999));
    TimeRange toYear3000 = TimeRange.of(Instant.parse("1600-01-01T00:00:00Z"), Instant.parse("3000-01-01T00:00:00Z"));

    try (Stream<Row> rows = client.readOffline(NAME, toYear3000)) {
      assertThat(rows.toList()).containsExactlyInAnyOrder(y1600, y2262, y2999);
    }
    assertThat(client.offlineContents(NAME, toYear3000)).isEqualTo(new RangeContents(3, 2));
    Row corrected = trip("old", Instant.parse("1600-03-01T00:00:00Z"), 10.0, 10L);
    BackfillResult result = client.backfill(NAME).between(toYear3000.start(), Instant.parse("2300-01-01T00:00:00Z"))
        .source(source(List.of(corrected))).run();

    assertThat(result.offlineRowsDeleted()).isEqualTo(2);
    assertThat(result.rowsWritten()).isEqualTo(1);
    assertThat(offlineRows(client)).containsExactlyInAnyOrder(corrected, y2999);
    assertThat(client.readOnline(NAME, EntityKey.of("old"))).contains(corrected);
    assertThat(client.readOnline(NAME, EntityKey.of("new"))).contains(y2999);
  }

  // ---------------------------------------------------------------- values every store agrees on

  /** A feature set keyed by a DOUBLE, for the rule on signed zeros and NaN in keys. */
  private static FeatureSet measures() {
    return FeatureSet.builder("measures").key("x", FieldType.DOUBLE).eventTime("ts").feature("v", FieldType.DOUBLE)
        .feature("note", FieldType.STRING).backfillStart(D0).build();
  }

  @Test
  void signedZerosAndNansInADoubleKeyAreOneKeyEachAndBackfillingTheStoredRowsAgainChangesNothing() {
    // Issue 17 point 1: DuckDB treated -0.0 and 0.0 as one key, Java and RocksDB as two; a reset
    // with the rows already stored made key 0.0 serve a row that existed nowhere offline.
    BackfillClient client = client();
    FeatureSet measures = measures();
    client.register(measures);
    Schema s = measures.schema();
    double otherNan = Double.longBitsToDouble(0x7ff8000000000001L);
    List<Row> ingested = List.of(Row.of(s, -0.0, day(1), 1.0, "minus zero"), Row.of(s, 0.0, day(2), -0.0, "zero"),
        Row.of(s, Double.NaN, day(1), 3.0, "nan"), Row.of(s, otherNan, day(3), Double.NaN, "other nan"),
        Row.of(s, 1.5, day(1), 0.0, "plain"));
    client.ingest("measures", ingested);
    Row zero = Row.of(s, 0.0, day(2), -0.0, "zero");
    Row nan = Row.of(s, Double.NaN, day(3), Double.NaN, "other nan");

    assertThat(client.readOnline("measures", EntityKey.of(-0.0))).contains(zero);
    assertThat(client.readOnline("measures", EntityKey.of(0.0))).contains(zero);
    assertThat(client.readOnline("measures", EntityKey.of(Double.NaN))).contains(nan);
    assertThat(client.readOnline("measures", EntityKey.of(otherNan))).contains(nan);
    assertThat(client.readOnline("measures", EntityKey.of(2))).as("an Integer part widens to the DOUBLE column").isEmpty();
    List<Row> stored;
    try (Stream<Row> rows = client.readOffline("measures", TimeRange.all())) {
      stored = rows.toList();
    }
    assertThat(stored).hasSize(5).allSatisfy(row -> assertThat(Double.doubleToRawLongBits(row.getDouble("x")))
        .as("key of %s", row).isIn(0L, Double.doubleToRawLongBits(Double.NaN), Double.doubleToRawLongBits(1.5)));
    assertThat(stored).filteredOn(row -> row.getString("note").equals("zero")).singleElement()
        .satisfies(row -> assertThat(Double.doubleToRawLongBits(row.getDouble("v"))).as("a feature keeps its sign")
            .isEqualTo(Double.doubleToRawLongBits(-0.0)));

    BackfillResult again = client.backfill("measures").reset().between(day(0), day(5))
        .source(InMemoryDataSource.of(s, "ts", ingested)).run();

    assertThat(again.rowsWritten()).isEqualTo(5);
    assertThat(again.onlineKeysWritten()).as("every key already served its latest row").isZero();
    assertThat(again.onlineKeysDeleted()).isZero();
    assertThat(client.readOnline("measures", EntityKey.of(0.0))).contains(zero);
    assertThat(client.readOnline("measures", EntityKey.of(-0.0))).contains(zero);
    assertThat(client.readOnline("measures", EntityKey.of(Double.NaN))).contains(nan);
    try (Stream<Row> rows = client.readOffline("measures", TimeRange.all())) {
      assertThat(rows.toList()).containsExactlyInAnyOrderElementsOf(stored);
    }
  }

  @Test
  void aLoneSurrogateIsRefusedAtTheEdgeNamingTheFeatureSetTheColumnAndTheEscapedValue() {
    // Issue 17 point 2: DuckDB stored a lone surrogate as "?", RocksDB kept it: as keys, the two collided.
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    Row question = trip("?", day(1), 7.0, 7L);
    Row emoji = trip("\uD83D\uDE00", day(1), 8.0, 8L);
    client.ingest(NAME, List.of(question, emoji));

    assertThatThrownBy(() -> client.ingest(NAME, List.of(trip("ok", day(1), 1.0, 1L), trip("a\uD800", day(1), 1.0, 1L))))
        .isInstanceOf(InvalidRowException.class)
        .hasMessageStartingWith("invalid row for feature set 'trips': column 'driver' value 'a\\uD800' (String): the "
            + "string holds a lone UTF-16 surrogate \\uD800 at index 1");
    assertThatThrownBy(() -> client.ingest(NAME, List.of(Row.of(schema(), "b", day(1), 1.0, 1L, "note \uDC00"))))
        .isInstanceOf(InvalidRowException.class).hasMessageContaining("'note'").hasMessageContaining("\\uDC00");
    BackfillJob job = client.backfill(NAME).between(day(0), day(2)).source(source(List.of(trip("\uD800", day(1), 1.0, 1L))))
        .submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class).hasMessageContaining("\\uD800")
        .cause().isInstanceOf(InvalidRowException.class);
    assertThatThrownBy(() -> client.readOnline(NAME, EntityKey.of("\uD800")))
        .isInstanceOf(InvalidKeyException.class).hasMessageContaining("'trips'").hasMessageContaining("\\uD800")
        .hasMessageContaining("(driver STRING)");

    List<Row> expected = new ArrayList<>(before);
    expected.add(question);
    expected.add(emoji);
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(client.readOnline(NAME, EntityKey.of("?"))).contains(question);
    assertThat(client.readOnline(NAME, EntityKey.of("\uD83D\uDE00"))).contains(emoji);
  }

  @Test
  void namesThatDifferOnlyInCaseAreRefusedByTheEngineAndByEveryStore() {
    // Issue 17 point 4: the in-memory stores accepted Trips beside trips, DuckDB failed with its catalog error.
    BackfillClient client = registered(client());
    FeatureSet upper = FeatureSet.builder("TRIPS").key("driver", FieldType.STRING).eventTime("ts")
        .feature("fare", FieldType.DOUBLE).backfillStart(D0).build();

    assertThatThrownBy(() -> client.register(upper)).isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'TRIPS'").hasMessageContaining("'trips'");
    // A client that has not registered trips still meets the table an earlier client left in the stores.
    BackfillClient later = client();
    assertThatThrownBy(() -> later.register(upper)).isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'TRIPS'").hasMessageContaining("'trips'");
    assertThat(later.featureSet("TRIPS")).isEmpty();
    assertThat(offline.table("TRIPS")).isEmpty();
    assertThatThrownBy(() -> FeatureSet.builder("t").key("v", FieldType.STRING).eventTime("ts")
        .feature("V", FieldType.LONG).backfillStart(D0).build()).isInstanceOf(InvalidFeatureSetException.class);
  }

  @Test
  void aKeyOfTheWrongShapeIsOneErrorFromTheEngineWhateverTheStore() {
    // Issue 17 point 5: the in-memory store answered empty, RocksDB threw IllegalArgumentException.
    BackfillClient client = registered(client());
    tenDays(client);
    client.register(measures());
    client.ingest("measures", List.of(Row.of(measures().schema(), 2.0, day(1), 1.0, "two")));

    assertThatThrownBy(() -> client.readOnline(NAME, EntityKey.of("a", 1L))).isInstanceOf(InvalidKeyException.class)
        .hasMessage("invalid key ['a' (String), 1 (Long)] for feature set 'trips' (key columns (driver STRING)): it has "
            + "2 part(s) and the feature set's key has 1; give one value per key column, in order");
    assertThatThrownBy(() -> client.readOnline(NAME, EntityKey.of(7L))).isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("part 1 (column 'driver') is a Long; the column is STRING (String)");
    assertThatThrownBy(() -> client.readOnline("measures", EntityKey.of("2.0"))).isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("(x DOUBLE)");
    assertThat(client.readOnline("measures", EntityKey.of(2))).as("an Integer widens to DOUBLE")
        .contains(Row.of(measures().schema(), 2.0, day(1), 1.0, "two"));
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(9), 9.0, 9L));
  }

  // ---------------------------------------------------------------- the point-in-time rule

  /** Moves every row's event time forward by {@code shift}, declaring {@code lookback}. */
  private static Transform shifting(Duration shift, Duration lookback) {
    return new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return input;
      }

      @Override
      public Duration lookback() {
        return lookback;
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input.map(r -> Row.of(schema(), r.get(0), r.getInstant("ts").plus(shift), r.get(2), r.get(3), r.get(4)));
      }
    };
  }

  /** A row every 20 minutes for two days from day 1, of three drivers. */
  private static List<Row> everyTwentyMinutes() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2 * 72; i++) {
      rows.add(trip("d" + (i % 3), day(1).plus(Duration.ofMinutes(20L * i)), (double) i, (long) i));
    }
    return rows;
  }

  @Test
  void aTransformThatMovesEventTimesBeyondItsLookbackFailsTheJobNamingTheRuleTheRowAndTheSlice() {
    // Issue 10 point 8: with `date + 1 hour` and no lookback, each slice's last hour of output
    // belongs to the next slice, which does not produce it: the rows were dropped silently (all of
    // them with XLARGE's quarter-hour slices), the range emptied and the job SUCCEEDED.
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    for (ClusterTemplate template : List.of(ClusterTemplate.SMALL, ClusterTemplate.XLARGE)) {
      BackfillJob job = client.backfill(NAME).between(day(1), day(3)).clusterTemplate(template)
          .source(source(everyTwentyMinutes())).transform(shifting(Duration.ofHours(1), Duration.ZERO)).submit();
      assertThatThrownBy(job::await).as("%s", template).isInstanceOf(BackfillFailedException.class)
          .hasMessageContaining("point-in-time rule").hasMessageContaining("declare a lookback")
          .hasMessageContaining(NAME).hasMessageContaining("'ts'")
          .cause().isInstanceOf(InvalidRowException.class);
      assertThat(job.failure()).hasValueSatisfying(m -> assertThat(m).containsPattern("slice \\[\\S+, \\S+\\)"));
    }
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void aTransformThatMovesEventTimesWithinItsLookbackWritesEveryRowOnce() {
    BackfillClient client = registered(client());
    List<Row> input = everyTwentyMinutes();
    List<Row> expected = input.stream().filter(r -> r.getInstant("ts").isBefore(day(3).minus(Duration.ofHours(1))))
        .map(r -> Row.of(schema(), r.get(0), r.getInstant("ts").plus(Duration.ofHours(1)), r.get(2), r.get(3), r.get(4)))
        .toList();
    for (ClusterTemplate template : List.of(ClusterTemplate.SMALL, ClusterTemplate.XLARGE)) {
      BackfillResult result = client.backfill(NAME).between(day(1), day(3)).clusterTemplate(template)
          .source(source(input)).transform(shifting(Duration.ofHours(1), Duration.ofHours(1))).run();
      assertThat(offlineRows(client)).as("%s", template).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(result.rowsWritten()).isEqualTo(expected.size());
      assertThat(result.rowsDroppedOutOfRange()).as("the last hour's inputs land after the stop").isEqualTo(3);
      int slices = client.job(result.jobId()).orElseThrow().plan().slices().size();
      assertThat(slices).isGreaterThan(2);
      assertThat(result.rowsDroppedAsContext()).as("at each inner boundary, the next slice's first hour of rows")
          .isEqualTo(3L * (slices - 1));
    }
  }

  // ---------------------------------------------------------------- backfills that would only delete

  @Test
  void aConfirmationIsAskedOnlyWhenTheBackfillWouldDeleteRowsAndWriteNoneAndARefusalChangesNothing() {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    List<RangeContents> asked = new CopyOnWriteArrayList<>();
    List<String> askedJobs = new CopyOnWriteArrayList<>();
    DeletionConfirmation refuse = (job, deleted) -> {
      asked.add(deleted);
      askedJobs.add(job.id() + " " + job.status());
      return false;
    };
    assertThat(client.offlineContents(NAME, TimeRange.of(day(3), day(6)))).isEqualTo(new RangeContents(9, 3));

    BackfillJob refused = client.backfill(NAME).between(day(3), day(6)).source(source(List.of())).confirmDeletion(refuse).submit();
    assertThatThrownBy(refused::await).isInstanceOf(BackfillCancelledException.class);
    assertThat(refused.status()).isEqualTo(BackfillStatus.CANCELLED);
    assertThat(asked).containsExactly(new RangeContents(9, 3));
    assertThat(askedJobs).containsExactly(refused.id() + " RUNNING");
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(9), 9.0, 9L));

    BackfillJob resetRefused = client.backfill(NAME).reset().between(day(20), day(21)).source(source(List.of()))
        .confirmDeletion(refuse).submit();
    assertThatThrownBy(resetRefused::await).isInstanceOf(BackfillCancelledException.class);
    assertThat(asked).as("a reset deletes everything").endsWith(new RangeContents(30, 3));

    asked.clear();
    BackfillResult writes = client.backfill(NAME).between(day(3), day(6)).source(source(List.of(trip("a", day(4), 4.0, 4L))))
        .confirmDeletion(refuse).run();
    assertThat(writes.rowsWritten()).isEqualTo(1);
    BackfillResult nothingThere = client.backfill(NAME).between(day(20), day(22)).source(source(List.of()))
        .confirmDeletion(refuse).run();
    assertThat(nothingThere.offlineRowsDeleted()).isZero();
    assertThat(asked).as("not asked when rows are written or none would be deleted").isEmpty();

    BackfillResult confirmed = client.backfill(NAME).between(day(7), day(8)).source(source(List.of()))
        .confirmDeletion(DeletionConfirmation.ALWAYS).run();
    assertThat(confirmed.offlineRowsDeleted()).isEqualTo(3);
    BackfillResult byDefault = client.backfill(NAME).between(day(8), day(9)).source(source(List.of())).run();
    assertThat(byDefault.offlineRowsDeleted()).as("library default: an empty replacement commits").isEqualTo(3);
  }

  // ---------------------------------------------------------------- ingest between commit and reconciliation

  @Test
  void ingestBetweenTheOfflineCommitAndTheOnlineReconciliationNeverServesARowThatWasNotTheLatest() throws Exception {
    // Issue 10 point 3: O = {t1}; a backfill commits O' = {t5}; t3 is ingested before the
    // reconciliation. Newest-wins wrote t3 online, the latest of none of O, O', O' + t3, until the
    // reconciliation wrote t5 (the key changed twice).
    ReconciliationGate gate = new ReconciliationGate(offline, WAIT_SECONDS);
    BackfillClient client = registered(client(gate, online, Optional.empty(), CLOCK));
    Row t1 = trip("k", day(1), 1.0, 1L);
    Row t3 = trip("k", day(3), 3.0, 3L);
    Row t5 = trip("k", day(5), 5.0, 5L);
    client.ingest(NAME, List.of(t1));

    BackfillJob job = client.backfill(NAME).between(day(0), day(10)).source(source(List.of(t5))).submit();
    try {
      assertThat(gate.awaitHeld(WAIT_SECONDS)).as("the job reached its reconciliation").isTrue();
      assertThat(offlineRows(client)).as("committed offline").containsExactly(t5);
      client.ingest(NAME, List.of(t3));
      assertThat(client.readOnline(NAME, EntityKey.of("k"))).as("the latest of O' + t3").contains(t5);
    } finally {
      gate.release();
    }
    BackfillResult result = job.await();
    assertThat(client.readOnline(NAME, EntityKey.of("k"))).contains(t5);
    assertThat(result.onlineKeysWritten()).as("the key changed once, by the ingest").isZero();
    assertThat(offlineRows(client)).containsExactlyInAnyOrder(t3, t5);

    // After the reconciliation, ingest is newest-wins again.
    Row t7 = trip("k", day(7), 7.0, 7L);
    client.ingest(NAME, List.of(t7));
    assertThat(client.readOnline(NAME, EntityKey.of("k"))).contains(t7);
  }

  // ---------------------------------------------------------------- requests and bad input

  @Test
  void defaultsAndAFutureStopResolveByTheContract() {
    BackfillClient client = registered(client());
    BackfillPlan defaults = client.backfill(NAME).source(source(List.of())).plan();
    assertThat(defaults.range()).isEqualTo(TimeRange.of(D0, NOW));
    assertThat(defaults.stopClamped()).isFalse();
    assertThat(defaults.reset()).isFalse();
    BackfillPlan future = client.backfill(NAME).source(source(List.of())).stopTime(NOW.plus(1, ChronoUnit.DAYS)).plan();
    assertThat(future.range().stop()).isEqualTo(NOW);
    assertThat(future.stopClamped()).isTrue();
    BackfillPlan earlier = client.backfill(NAME).source(source(List.of())).startTime(D0.minus(5, ChronoUnit.DAYS)).plan();
    assertThat(earlier.range().start()).as("an explicit earlier start is allowed").isEqualTo(D0.minus(5, ChronoUnit.DAYS));
    assertThat(defaults.slices().get(0).start()).isEqualTo(D0);
    assertThat(defaults.slices().get(defaults.slices().size() - 1).stop()).isEqualTo(NOW);
  }

  @Test
  void badRequestsAreRejectedAndChangeNothing() {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    assertThatThrownBy(() -> client.backfill("nope")).isInstanceOf(FeatureSetNotFoundException.class)
        .hasMessageContaining("nope").hasMessageContaining(NAME);
    assertThatThrownBy(() -> client.backfill(NAME).between(day(5), day(5)).source(source(List.of())).submit())
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining(day(5).toString());
    assertThatThrownBy(() -> client.backfill(NAME).between(day(6), day(5)).source(source(List.of())).run())
        .isInstanceOf(InvalidBackfillRequestException.class);
    Schema wrong = Schema.of(new dev.backfill.api.Field("driver", FieldType.LONG));
    assertThatThrownBy(() -> client.backfill(NAME).between(day(1), day(2)).source(source(List.of()))
        .transform(Transform.map(wrong, r -> r)).plan())
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("driver").hasMessageContaining("fare");
    assertThatThrownBy(() -> client.backfill(NAME).between(day(1), day(2)).plan())
        .as("no source on the request or the feature set").isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("source");
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(client.jobs(NAME)).isEmpty();
  }

  @Test
  void anInvalidRowFailsTheJobAndWritesNothing() {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    List<Row> rows = new ArrayList<>();
    IntStream.range(0, 20_000).forEach(i -> rows.add(trip("d" + (i % 50), day(2).plusSeconds(i), 1.0, 1L)));
    rows.add(Row.of(schema(), null, day(3), 1.0, 1L, null));
    BackfillJob job = client.backfill(NAME).between(day(2), day(4)).source(source(rows)).submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining(job.id()).hasMessageContaining(NAME).hasMessageContaining("driver")
        .cause().isInstanceOf(InvalidRowException.class);
    assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(job.failure()).hasValueSatisfying(m -> assertThat(m).contains("driver").contains("null"));
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(9), 9.0, 9L));

    Schema stringRides = Schema.of(schema().fields().stream()
        .map(f -> f.name().equals("rides") ? new dev.backfill.api.Field("rides", FieldType.STRING) : f).toList());
    Transform lying = Transform.map(schema(), r -> Row.of(stringRides, r.get(0), r.get(1), r.get(2), "many", null));
    BackfillJob typed = client.backfill(NAME).between(day(2), day(4)).source(source(rows.subList(0, 10))).transform(lying).submit();
    assertThatThrownBy(typed::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("rides").hasMessageContaining("many");
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void ingestChecksEveryRowBeforeWritingAny() {
    BackfillClient client = registered(client());
    List<Row> rows = List.of(trip("a", day(1), 1.0, 1L), Row.of(schema(), "b", null, 1.0, 1L, null));
    assertThatThrownBy(() -> client.ingest(NAME, rows)).isInstanceOf(InvalidRowException.class)
        .hasMessageContaining(NAME).hasMessageContaining("ts");
    assertThat(offlineRows(client)).isEmpty();
    assertThat(client.readOnline(NAME, EntityKey.of("a"))).isEmpty();
  }

  @Test
  void aFailingSourceFailsTheJobAndChangesNothing() {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    DataSource failing = new DataSource() {
      @Override
      public Schema schema() {
        return BackfillContractTest.schema();
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        // Enough rows to fill several batches before the failure, so staged rows must be discarded.
        return IntStream.range(0, 30_000).mapToObj(i -> {
          if (i == 29_999) {
            throw new IllegalStateException("source broke at row " + i);
          }
          return trip("x" + (i % 100), range.start(), 1.0, (long) i);
        });
      }
    };
    BackfillJob job = client.backfill(NAME).between(day(2), day(4)).source(failing).submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("source broke at row 29999").hasRootCauseInstanceOf(IllegalStateException.class);
    assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(client.readOnline(NAME, EntityKey.of("x1"))).isEmpty();
  }

  // ---------------------------------------------------------------- isolation and concurrency

  @Test
  void aScanStartedBeforeTheCommitFinishesOnTheOldSnapshot() {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    List<Row> seen = new ArrayList<>();
    try (Stream<Row> scan = client.readOffline(NAME, TimeRange.all())) {
      var iterator = scan.iterator();
      seen.add(iterator.next());
      client.backfill(NAME).reset().between(day(0), day(10)).source(source(List.of(trip("new", day(1), 1.0, 1L)))).run();
      iterator.forEachRemaining(seen::add);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(before);
    assertThat(offlineRows(client)).containsExactly(trip("new", day(1), 1.0, 1L));
  }

  @Test
  void onlineKeysStayReadableAndChangeAtMostOnceDuringABackfill() throws Exception {
    BackfillClient client = registered(client());
    List<Row> old = new ArrayList<>();
    List<Row> corrected = new ArrayList<>();
    for (int k = 0; k < 300; k++) {
      old.add(trip("k" + k, day(1), 1.0, 1L));
      corrected.add(trip("k" + k, day(1), 2.0, 2L));
    }
    client.ingest(NAME, old);
    GatedSource gated = new GatedSource(corrected);
    BackfillJob job = client.backfill(NAME).between(day(0), day(3)).source(gated).submit();
    assertThat(gated.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    Map<EntityKey, Set<Row>> seen = new HashMap<>();
    AtomicBoolean missing = new AtomicBoolean();
    int passes = 0;
    gated.release.countDown();
    do {
      for (int k = 0; k < 300; k++) {
        EntityKey key = EntityKey.of("k" + k);
        Optional<Row> row = client.readOnline(NAME, key);
        if (row.isEmpty()) {
          missing.set(true);
        } else {
          seen.computeIfAbsent(key, x -> new HashSet<>()).add(row.get());
        }
      }
      passes++;
    } while (!job.status().isTerminal());
    job.await();
    assertThat(passes).isPositive();
    assertThat(missing).as("a key went missing while the backfill ran").isFalse();
    assertThat(seen.values()).allSatisfy(values -> assertThat(values).hasSizeLessThanOrEqualTo(2));
    for (int k = 0; k < 300; k++) {
      assertThat(client.readOnline(NAME, EntityKey.of("k" + k))).contains(corrected.get(k));
    }
  }

  @Test
  void cancellingBeforeTheCommitChangesNothing() throws Exception {
    BackfillClient client = registered(client());
    List<Row> before = tenDays(client);
    List<Row> rows = new ArrayList<>();
    IntStream.range(0, 20_000).forEach(i -> rows.add(trip("n" + (i % 10), day(2).plusSeconds(i), 1.0, 1L)));
    GatedSource gated = new GatedSource(rows, 15_000);
    BackfillJob job = client.backfill(NAME).between(day(2), day(4)).source(gated).submit();
    assertThat(gated.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(job.cancel()).isTrue();
    gated.release.countDown();
    assertThatThrownBy(job::await).isInstanceOf(BackfillCancelledException.class).hasMessageContaining(job.id());
    assertThat(job.status()).isEqualTo(BackfillStatus.CANCELLED);
    assertThat(job.cancel()).as("a finished job cannot be cancelled again").isFalse();
    assertThat(offlineRows(client)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(client.readOnline(NAME, EntityKey.of("n1"))).isEmpty();
    assertThat(job.result()).isEmpty();
    // The scope is free again.
    assertThat(client.backfill(NAME).between(day(2), day(4)).source(source(List.of())).run().rowsWritten()).isZero();
  }

  @Test
  void overlappingBackfillsAreRefusedAndDisjointOnesRunInParallel() throws Exception {
    BackfillClient client = registered(client());
    GatedSource first = new GatedSource(List.of(trip("a", day(1), 1.0, 1L)));
    BackfillJob running = client.backfill(NAME).between(day(0), day(10)).source(first).submit();
    assertThat(first.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> client.backfill(NAME).between(day(5), day(15)).source(source(List.of())).submit())
        .isInstanceOf(BackfillConflictException.class).hasMessageContaining(running.id())
        .satisfies(e -> assertThat(((BackfillConflictException) e).runningJobId()).isEqualTo(running.id()));
    assertThatThrownBy(() -> client.backfill(NAME).reset().between(day(20), day(21)).source(source(List.of())).submit())
        .as("a reset overlaps everything").isInstanceOf(BackfillConflictException.class);

    // A disjoint interval starts and finishes while the first one is still blocked: no waiting.
    BackfillResult disjoint = client.backfill(NAME).between(day(10), day(20))
        .source(source(List.of(trip("b", day(12), 2.0, 2L)))).run();
    assertThat(disjoint.rowsWritten()).isEqualTo(1);
    assertThat(running.status().isTerminal()).isFalse();
    first.release.countDown();
    assertThat(running.await().rowsWritten()).isEqualTo(1);
    assertThat(offlineRows(client)).containsExactlyInAnyOrder(trip("a", day(1), 1.0, 1L), trip("b", day(12), 2.0, 2L));
  }

  @Test
  void rowsIngestedAtOrAfterTheStopDuringABackfillAreNeverOverwritten() throws Exception {
    BackfillClient client = registered(client());
    ReplacementOracle oracle = new ReplacementOracle(trips());
    oracle.ingest(tenDays(client));
    List<Row> corrected = List.of(trip("a", day(3), 30.0, 3L), trip("b", day(4), 40.0, 4L), trip("c", day(2), 20.0, 2L));
    GatedSource gated = new GatedSource(corrected);
    BackfillJob job = client.backfill(NAME).between(day(0), day(5)).source(gated).submit();
    assertThat(gated.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    List<Row> late = List.of(trip("a", day(12), 120.0, 12L), trip("z", day(5), 5.0, 5L));
    List<Row> inside = List.of(trip("c", day(1), 10.0, 1L));
    client.ingest(NAME, late);
    client.ingest(NAME, inside);
    oracle.ingest(late);
    oracle.ingest(inside);
    gated.release.countDown();
    job.await();
    oracle.backfill(TimeRange.of(day(0), day(5)), false, corrected);

    assertThat(client.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(12), 120.0, 12L));
    assertThat(client.readOnline(NAME, EntityKey.of("z"))).contains(trip("z", day(5), 5.0, 5L));
    // The row ingested inside the range before the commit is replaced, as every row of the range.
    assertMatchesOracle(client, oracle, keys("a", "b", "c", "z"));

    // Ingest keeps working with the same guarantees after the job.
    client.ingest(NAME, List.of(trip("b", day(1), 1.0, 1L)));
    assertThat(client.readOnline(NAME, EntityKey.of("b"))).as("an older ingested row does not win online")
        .contains(trip("b", day(9), 9.0, 9L));
  }

  // ---------------------------------------------------------------- jobs and recovery

  @Test
  void jobsAreListedNewestFirstWithTheirPlanProgressAndComment() {
    BackfillClient client = registered(client());
    BackfillJob first = client.backfill(NAME).between(day(0), day(1)).source(source(List.of())).comment("one").submit();
    first.await();
    BackfillJob second = client.backfill(NAME).between(day(1), day(2)).source(source(List.of(trip("a", day(1), 1.0, 1L))))
        .comment("two").submit();
    BackfillResult result = second.await();
    assertThat(client.jobs(NAME)).extracting(BackfillJob::id).containsExactly(second.id(), first.id());
    assertThat(client.job(second.id())).containsSame(second);
    assertThat(second.plan().comment()).contains("two");
    assertThat(second.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(second.result()).contains(result);
    assertThat(second.progress().fraction()).isEqualTo(1.0);
    assertThat(second.progress().rowsWritten()).isEqualTo(1);
    assertThat(second.await(Duration.ofSeconds(1))).contains(result);
    assertThat(client.jobs("other")).isEmpty();
  }

  @Test
  void aDurableHistoryKeepsFinishedJobsAcrossClients() {
    Path history = tempDir.resolve("jobs");
    BackfillClient first = registered(client(online, Optional.of(history)));
    BackfillResult result = first.backfill(NAME).between(day(0), day(2)).source(source(List.of(trip("a", day(1), 1.0, 1L))))
        .comment("kept").run();
    first.close();
    BackfillClient second = client(online, Optional.of(history));
    List<BackfillJob> jobs = second.jobs(NAME);
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(jobs.get(0).result()).contains(result);
    assertThat(jobs.get(0).plan().comment()).contains("kept");
    assertThat(jobs.get(0).await()).isEqualTo(result);
  }

  @Test
  void aNewClientFinishesTheOnlineReconciliationOfACommittedJob() {
    Path history = tempDir.resolve("jobs");
    FlakyOnlineStore flaky = new FlakyOnlineStore(online);
    BackfillClient first = registered(client(flaky, Optional.of(history)));
    first.ingest(NAME, List.of(trip("a", day(1), 1.0, 1L), trip("b", day(1), 1.0, 1L)));
    flaky.failWrites(true);
    BackfillJob job = first.backfill(NAME).between(day(0), day(5))
        .source(source(List.of(trip("a", day(2), 2.0, 2L)))).submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class).hasMessageContaining("offline commit is done");
    // Offline is committed; online still serves the old rows: never a mix within a key.
    assertThat(offlineRows(first)).containsExactly(trip("a", day(2), 2.0, 2L));
    assertThat(first.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(1), 1.0, 1L));
    first.close();

    BackfillClient second = registered(client(online, Optional.of(history)));
    BackfillJob recovered = second.job(job.id()).orElseThrow();
    assertThat(recovered.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(second.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(2), 2.0, 2L));
    assertThat(second.readOnline(NAME, EntityKey.of("b"))).isEmpty();
    assertThat(recovered.result().orElseThrow().onlineKeysDeleted()).isEqualTo(1);
  }

  @Test
  void aRecoveryInterruptedPartWayRecordsHowFarItGotAndTheNextClientResumesThere() {
    Path history = tempDir.resolve("jobs");
    FlakyOnlineStore flaky = new FlakyOnlineStore(online);
    BackfillClient first = registered(client(flaky, Optional.of(history)));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(trip("k" + i, day(1), (double) i, (long) i));
    }
    flaky.failWrites(true);
    BackfillJob job = first.backfill(NAME).between(day(0), day(5)).source(source(rows)).submit();
    assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class).hasMessageContaining("offline commit is done");
    first.close();

    // The thread building the second client is interrupted during the recovery's first online batch.
    OnlineStore interrupting = new ForwardingOnlineStore(online) {
      @Override
      public long write(String table, List<OnlineWrite> writes) {
        long written = super.write(table, writes);
        Thread.currentThread().interrupt();
        return written;
      }
    };
    List<BackfillProgress> started = new ArrayList<>();
    BackfillClient.Builder second = BackfillClient.builder().offlineStore(offline).onlineStore(interrupting).clock(CLOCK)
        .jobHistory(history).onRecovery(recovering -> started.add(recovering.progress()));
    assertThatThrownBy(second::build).isInstanceOf(BackfillException.class).hasMessage("the recovery of backfill job "
        + job.id() + " of " + NAME + " was interrupted after 2,048 of 5,000 keys; how far it got is recorded, and a "
        + "client built on the same job history and stores resumes it from there");
    assertThat(Thread.interrupted()).as("the interrupt is handed back").isTrue();
    assertThat(started).singleElement().isEqualTo(new BackfillProgress(job.plan().slices().size(),
        job.plan().slices().size(), 5_000, 5_000, BackfillProgress.Stage.RECOVERING, 0, 5_000));

    started.clear();
    BackfillClient third = registered(client(offline, online, Optional.of(history), CLOCK,
        recovering -> started.add(recovering.progress())));
    assertThat(started).as("resumed after the first batch").singleElement()
        .extracting(BackfillProgress::keysDone, BackfillProgress::keysTotal).containsExactly(2_048L, 5_000L);
    BackfillJob recovered = third.job(job.id()).orElseThrow();
    assertThat(recovered.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(recovered.progress().stage()).isEqualTo(BackfillProgress.Stage.FINISHED);
    // Each key written once over both recoveries: begun again from zero, the second would count 2,952.
    assertThat(recovered.result().orElseThrow().onlineKeysWritten()).isEqualTo(5_000);
    for (int i : new int[] {0, 2_047, 2_048, 4_999}) {
      assertThat(third.readOnline(NAME, EntityKey.of("k" + i))).contains(rows.get(i));
    }
  }

  @Test
  void aNewClientSettlesTheJobsOfAProcessThatDied() throws Exception {
    Path history = tempDir.resolve("jobs");
    BackfillClient first = registered(client(online, Optional.of(history)));
    first.ingest(NAME, List.of(trip("a", day(1), 1.0, 1L), trip("b", day(1), 1.0, 1L)));
    BackfillJob job = first.backfill(NAME).between(day(0), day(5)).source(source(List.of(trip("a", day(2), 2.0, 2L))))
        .submit();
    job.await();
    first.close();

    // Rewind to the moment a process died right after the offline commit: the journal still
    // says RUNNING, uncommitted, and the online store still serves the old rows.
    Path record = history.resolve(job.id() + ".json");
    String json = Files.readString(record);
    String running = json.replaceAll("\"status\"\\s*:\\s*\"SUCCEEDED\"", "\"status\" : \"RUNNING\"")
        .replaceAll("\"committed\"\\s*:\\s*true", "\"committed\" : false")
        .replaceAll("\"reconciled\"\\s*:\\s*true", "\"reconciled\" : false");
    assertThat(running).isNotEqualTo(json).contains("RUNNING");
    Files.writeString(record, running);
    online.write(NAME, List.of(OnlineWrite.put(EntityKey.of("a"), trip("a", day(1), 1.0, 1L)),
        OnlineWrite.put(EntityKey.of("b"), trip("b", day(1), 1.0, 1L))));
    // And a job that died before its commit: the store never saw its commit id.
    String lostId = "bf-lost-before-commit";
    Files.writeString(history.resolve(lostId + ".json"), running.replace(job.id(), lostId));

    BackfillClient second = registered(client(online, Optional.of(history)));
    BackfillJob recovered = second.job(job.id()).orElseThrow();
    assertThat(recovered.status()).isEqualTo(BackfillStatus.SUCCEEDED);
    assertThat(second.readOnline(NAME, EntityKey.of("a"))).contains(trip("a", day(2), 2.0, 2L));
    assertThat(second.readOnline(NAME, EntityKey.of("b"))).isEmpty();
    BackfillJob lost = second.job(lostId).orElseThrow();
    assertThat(lost.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(lost.failure()).hasValueSatisfying(m -> assertThat(m).contains("before its offline commit"));
    assertThatThrownBy(lost::await).isInstanceOf(BackfillFailedException.class);
    assertThat(offlineRows(second)).containsExactly(trip("a", day(2), 2.0, 2L));
  }

  // ---------------------------------------------------------------- randomized

  @Test
  void randomizedSequencesMatchTheOracle() {
    for (long seed = 1; seed <= 4; seed++) {
      BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online)
          .clock(RandomWorkload.CLOCK).build();
      clients.add(client);
      RandomWorkload.of(seed, "random_" + seed).run(client, 40);
    }
  }

  /**
   * A source that signals when a read starts, returns its first rows, then blocks until
   * released: a job held in the middle of reading, deterministically.
   */
  protected static final class GatedSource implements DataSource {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final List<Row> rows;
    private final int blockAfter;

    GatedSource(List<Row> rows) {
      this(rows, 0);
    }

    GatedSource(List<Row> rows, int blockAfter) {
      this.rows = rows;
      this.blockAfter = blockAfter;
    }

    @Override
    public Schema schema() {
      return BackfillContractTest.schema();
    }

    @Override
    public Stream<Row> read(TimeRange range) {
      List<Row> inRange = rows.stream().filter(r -> range.contains(r.getInstant("ts"))).toList();
      int blockAt = Math.min(blockAfter, inRange.size());
      AtomicInteger served = new AtomicInteger();
      // A trailing null marks the end, so that a read with fewer rows than blockAfter blocks too.
      return Stream.concat(inRange.stream(), Stream.of((Row) null)).filter(row -> {
        if (served.getAndIncrement() == blockAt) {
          entered.countDown();
          awaitRelease();
        }
        return row != null;
      });
    }

    private void awaitRelease() {
      try {
        if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          throw new IllegalStateException("gated source was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
