package dev.backfill.testkit;

import static dev.backfill.testkit.ContractData.LAST_SUPPORTED;
import static dev.backfill.testkit.ContractData.T0;
import static dev.backfill.testkit.ContractData.allTypes;
import static dev.backfill.testkit.ContractData.allTypesRows;
import static dev.backfill.testkit.ContractData.click;
import static dev.backfill.testkit.ContractData.clicks;
import static dev.backfill.testkit.ContractData.doubleKeyed;
import static dev.backfill.testkit.ContractData.doubleKeyedRows;
import static dev.backfill.testkit.ContractData.edgeRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.spi.ChangedKeys;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import dev.backfill.spi.WriteCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OnlineStore} must keep. A plugin author extends this class in the
 * plugin's tests and returns a fresh, empty store; every test of the kit then runs against it:
 *
 * <pre>{@code
 * class RocksDbOnlineStoreContractTest extends OnlineStoreContractTest {
 *   @TempDir Path dir;
 *
 *   @Override
 *   protected OnlineStore createStore() {
 *     return Plugins.onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString()));
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #createStore()} is called once before each test and must return a store with no
 * tables and no keys (a store on a shared server, such as Redis, should use a fresh database or
 * key prefix per call); the kit closes it after the test. Subclasses may add their own tests and
 * reach the store under test through {@link #store()}.
 *
 * <p>What the kit checks, and so what every online store must guarantee:
 * <ul>
 *   <li><b>Tables.</b> {@code createTable} is idempotent and keeps stored keys; re-creating a
 *       table with another schema, key or event-time column is an
 *       {@link InvalidFeatureSetException}; using a table that does not exist is a
 *       {@link StoreException} whose message names it; tables do not share keys; {@code dropTable}
 *       deletes every key of a table (the name can then be created with another spec), leaves
 *       other tables alone and can be repeated (or, for a store that overrides
 *       {@code supportsDropTable()} to false, is refused and changes nothing).</li>
 *   <li><b>Values.</b> Every {@link FieldType}, nulls (distinct from empty strings), composite
 *       keys and extreme values (NaN, infinities, -0.0, empty and non-BMP strings, pre-1970
 *       instants) round-trip unchanged, with their Java classes; timestamps need only keep
 *       microsecond precision.</li>
 *   <li><b>Writes.</b> {@code write} applies its writes in list order and returns how many were
 *       applied, that is whose condition held; a delete of a missing key is applied (its
 *       condition held) and leaves it missing. Conditions are evaluated against the row stored
 *       at that moment: {@link OnlineWrite#putIfLater} keeps the greatest row by
 *       {@link TableSpec#latestOrder()}, {@link OnlineWrite#fenced} never touches a key whose
 *       stored event time is at or after the fence.</li>
 *   <li><b>Changed keys only.</b> {@code writeChanged} sets or deletes only the keys that do not
 *       already hold their target (compared as {@link Row#equals} does: {@code -0.0} is not
 *       {@code 0.0}, a null feature is a change), keeps each write's condition, and counts the
 *       keys it set and deleted.</li>
 *   <li><b>Atomicity per key.</b> Under concurrent conditional writes to the same keys none is
 *       lost or applied against a stale row, and a reader never sees a key missing, or a row
 *       mixed from two writes, while the key is only being overwritten.</li>
 *   <li><b>Keys.</b> {@code keys} lists every stored key once. Key values are what
 *       {@link EntityKey} makes them (never {@code -0.0}; one NaN); NaN, both infinities, the
 *       smallest doubles, {@code "?"}, a replacement character and a non-BMP string are each a
 *       key of their own.</li>
 *   <li><b>Names.</b> A table whose name differs only in case from an existing table's is an
 *       {@link InvalidFeatureSetException} ({@link dev.backfill.spi.TableNames}).</li>
 * </ul>
 * Concurrency tests give their threads two minutes before failing: a guard against a deadlocked
 * store hanging the build, not a speed requirement.
 */
public abstract class OnlineStoreContractTest extends StoreContractTest<OnlineStore> {
  // ---------------------------------------------------------------- tables

  @Test
  void createTableIsIdempotentAndKeepsKeys() {
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("u1", T0, 1));

    store().createTable(spec);

    assertThat(store().get(spec.name(), EntityKey.of("u1"))).contains(click("u1", T0, 1));
  }

  @Test
  void createTableWithAnotherSchemaKeyOrEventTimeThrows() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TableSpec otherFeatureType = FeatureSet.builder(spec.name()).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.DOUBLE).feature("label", FieldType.STRING).backfillStart(T0).build().table();
    TableSpec fewerColumns = FeatureSet.builder(spec.name()).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.LONG).backfillStart(T0).build().table();
    // Same columns, different roles: a store that compares only column lists would accept this.
    TableSpec otherKeys = new TableSpec(spec.name(), spec.schema(), List.of("user", "label"), "ts");
    Schema twoTimes = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
        new Field("ts2", FieldType.TIMESTAMP));
    store().createTable(new TableSpec("two_times", twoTimes, List.of("user"), "ts"));

    for (TableSpec conflicting : List.of(otherFeatureType, fewerColumns, otherKeys)) {
      assertThatThrownBy(() -> store().createTable(conflicting))
          .as("re-creating %s as %s", spec, conflicting)
          .isInstanceOf(InvalidFeatureSetException.class);
    }
    assertThatThrownBy(() -> store().createTable(new TableSpec("two_times", twoTimes, List.of("user"), "ts2")))
        .isInstanceOf(InvalidFeatureSetException.class);
    // The failed attempts left the table usable with its original spec.
    put(spec, click("u1", T0, 1));
    assertThat(store().get(spec.name(), EntityKey.of("u1"))).contains(click("u1", T0, 1));
  }

  /**
   * Whether the store implements {@link OnlineStore#dropTable}; a store that keeps the default
   * (which refuses) overrides this to return false, and the kit then checks that a drop is
   * refused with a {@link StoreException} and changes nothing.
   */
  protected boolean supportsDropTable() {
    return true;
  }

  @Test
  void dropTableDeletesEveryKeyAndTheNameCanBeCreatedAnewWithAnotherSpec() {
    TableSpec spec = clicks();
    TableSpec other = clicks("clicks_other");
    store().createTable(spec);
    store().createTable(other);
    put(spec, click("u1", T0, 1), click("u2", T0, 2));
    put(other, Row.of(other.schema(), "u1", T0, 9L, "kept"));

    if (!supportsDropTable()) {
      assertThatThrownBy(() -> store().dropTable(spec.name())).isInstanceOf(StoreException.class)
          .hasMessageContaining(spec.name());
      assertThat(store().get(spec.name(), EntityKey.of("u1"))).contains(click("u1", T0, 1));
      return;
    }
    store().dropTable(spec.name());

    assertThatThrownBy(() -> store().get(spec.name(), EntityKey.of("u1")))
        .isInstanceOf(StoreException.class).hasMessageContaining(spec.name());
    assertThat(store().get(other.name(), EntityKey.of("u1"))).contains(Row.of(other.schema(), "u1", T0, 9L, "kept"));
    store().dropTable(spec.name());
    store().dropTable("never_created");

    TableSpec otherTypes = FeatureSet.builder(spec.name()).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.DOUBLE).backfillStart(T0).build().table();
    store().createTable(otherTypes);
    assertThat(store().get(spec.name(), EntityKey.of("u1"))).isEmpty();
    try (Stream<EntityKey> keys = store().keys(spec.name())) {
      assertThat(keys.toList()).isEmpty();
    }
    Row fresh = Row.of(otherTypes.schema(), "u1", T0, 1.5);
    put(otherTypes, fresh);
    assertThat(store().get(spec.name(), EntityKey.of("u1"))).contains(fresh);
  }

  @Test
  void unknownTableIsAStoreExceptionNamingTheTable() {
    String missing = "missing_table";
    EntityKey key = EntityKey.of("u1");
    store().createTable(clicks());

    assertThatThrownBy(() -> store().get(missing, key))
        .isInstanceOf(StoreException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> store().getAll(missing, List.of(key)))
        .isInstanceOf(StoreException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> store().write(missing, List.of(OnlineWrite.put(key, click("u1", T0, 1)))))
        .isInstanceOf(StoreException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> {
      // A lazy store may only fail when the stream is consumed; either is fine.
      try (Stream<EntityKey> keys = store().keys(missing)) {
        keys.count();
      }
    }).isInstanceOf(StoreException.class).hasMessageContaining(missing);
  }

  @Test
  void tablesAreIndependent() {
    TableSpec a = clicks("clicks_a");
    TableSpec b = clicks("clicks_b");
    store().createTable(a);
    store().createTable(b);
    Row rowA = Row.of(a.schema(), "u1", T0, 1L, "a");
    store().write(a.name(), List.of(OnlineWrite.put(EntityKey.of("u1"), rowA)));

    assertThat(store().get(b.name(), EntityKey.of("u1"))).isEmpty();
    store().write(b.name(), List.of(OnlineWrite.delete(EntityKey.of("u1"))));
    assertThat(store().get(a.name(), EntityKey.of("u1"))).contains(rowA);
    assertThat(keys(b)).isEmpty();
  }

  // ---------------------------------------------------------------- get, put, delete

  @Test
  void getOfAMissingKeyIsEmpty() {
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("present", T0, 1));

    assertThat(store().get(spec.name(), EntityKey.of("absent"))).isEmpty();
  }

  @Test
  void putAndGetRoundTripEveryFieldTypeAndNulls() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    List<Row> rows = new ArrayList<>(allTypesRows());
    rows.add(Row.of(spec.schema(), "nulls", 1L, T0, null, null, null, null, null));

    assertThat(store().write(spec.name(), rows.stream().map(r -> OnlineWrite.put(spec.keyOf(r), r)).toList()))
        .isEqualTo(rows.size());

    for (Row row : rows) {
      Row stored = store().get(spec.name(), spec.keyOf(row)).orElseThrow(() -> new AssertionError("missing " + row));
      assertThat(stored).isEqualTo(row);
      assertThat(stored.schema()).isEqualTo(spec.schema());
      // Row equality already compares values; the classes matter too, because callers cast.
      for (int i = 0; i < spec.schema().size(); i++) {
        if (stored.get(i) != null) {
          assertThat(stored.get(i)).isInstanceOf(spec.schema().fields().get(i).type().javaType());
        }
      }
    }
  }

  @Test
  void theFirstAndLastSupportedInstantsRoundTripAsValuesKeysAndConditions() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Row early = edgeRow(1, true);
    Row late = edgeRow(1, false);

    store().write(spec.name(), List.of(OnlineWrite.put(spec.keyOf(early), early)));
    assertThat(store().get(spec.name(), spec.keyOf(early))).contains(early);
    // Newest wins across the whole range, and a fence at the range's end holds.
    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(spec.keyOf(late), late, spec.latestOrder()))))
        .isEqualTo(1);
    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(spec.keyOf(early), early, spec.latestOrder()))))
        .isZero();
    assertThat(store().write(spec.name(), List.of(OnlineWrite.fenced(spec.keyOf(early), Optional.of(early), "ts", LAST_SUPPORTED))))
        .isZero();
    assertThat(store().get(spec.name(), spec.keyOf(late))).contains(late);
  }

  @Test
  void keysInOrderListTheKeysOnceInOneOrderAndResumeAfterAnyKey() {
    TableSpec spec = KeyOrderData.table("ordered_keys");
    store().createTable(spec);
    List<Row> rows = KeyOrderData.rows(spec, T0, T0);
    Map<EntityKey, Row> latest = new HashMap<>();
    rows.forEach(row -> latest.merge(spec.keyOf(row), row, spec::laterOf));
    store().write(spec.name(), latest.entrySet().stream().map(e -> OnlineWrite.put(e.getKey(), e.getValue())).toList());

    List<EntityKey> all = orderedKeys(spec, Optional.empty());
    assertThat(all).containsExactlyInAnyOrderElementsOf(latest.keySet());
    assertThat(orderedKeys(spec, Optional.empty())).as("the same order on every call").isEqualTo(all);
    for (int i = 0; i < all.size(); i++) {
      assertThat(orderedKeys(spec, Optional.of(all.get(i)))).as("after %s", all.get(i))
          .isEqualTo(all.subList(i + 1, all.size()));
    }
    assertThat(all).endsWith(orderedKeys(spec, Optional.of(KeyOrderData.ABSENT)).toArray(EntityKey[]::new));
  }

  private List<EntityKey> orderedKeys(TableSpec spec, Optional<EntityKey> after) {
    try (Stream<EntityKey> keys = store().keysInOrder(spec.name(), after)) {
      return keys.toList();
    }
  }

  @Test
  void compositeKeysAreDistinguishedByEveryPart() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Row a1 = Row.of(spec.schema(), "a", 1L, T0, "a1", null, null, null, null);
    Row a2 = Row.of(spec.schema(), "a", 2L, T0, "a2", null, null, null, null);
    Row b1 = Row.of(spec.schema(), "b", 1L, T0, "b1", null, null, null, null);
    store().write(spec.name(), List.of(OnlineWrite.put(EntityKey.of("a", 1L), a1),
        OnlineWrite.put(EntityKey.of("a", 2L), a2), OnlineWrite.put(EntityKey.of("b", 1L), b1)));

    assertThat(store().get(spec.name(), EntityKey.of("a", 1L))).contains(a1);
    assertThat(store().get(spec.name(), EntityKey.of("a", 2L))).contains(a2);
    assertThat(store().get(spec.name(), EntityKey.of("b", 1L))).contains(b1);
    assertThat(store().get(spec.name(), EntityKey.of("b", 2L))).isEmpty();
    // A store that joins parts into one string must escape them: ("a,1", 2) is not ("a", 12).
    Row tricky = Row.of(spec.schema(), "a\u0000,1", 2L, T0, "tricky", null, null, null, null);
    store().write(spec.name(), List.of(OnlineWrite.put(EntityKey.of("a\u0000,1", 2L), tricky)));
    assertThat(store().get(spec.name(), EntityKey.of("a", 12L))).isEmpty();
    assertThat(store().get(spec.name(), EntityKey.of("a\u0000,1", 2L))).contains(tricky);
    assertThat(keys(spec)).hasSize(4);
  }

  @Test
  void getAllReturnsTheStoredKeysOnly() {
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("a", T0, 1), click("b", T0, 2), click("c", T0, 3));

    Map<EntityKey, Row> rows = store().getAll(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("c"), EntityKey.of("zz")));

    assertThat(rows).containsOnly(Map.entry(EntityKey.of("a"), click("a", T0, 1)), Map.entry(EntityKey.of("c"), click("c", T0, 3)));
    assertThat(store().getAll(spec.name(), List.of())).isEmpty();
  }

  @Test
  void deleteRemovesOnlyItsKey() {
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("a", T0, 1), click("b", T0, 2));

    long applied = store().write(spec.name(), List.of(OnlineWrite.delete(EntityKey.of("a"))));

    assertThat(applied).isEqualTo(1);
    assertThat(store().get(spec.name(), EntityKey.of("a"))).isEmpty();
    assertThat(store().get(spec.name(), EntityKey.of("b"))).contains(click("b", T0, 2));
    assertThat(keys(spec)).containsExactly(EntityKey.of("b"));
  }

  @Test
  void deleteOfAMissingKeyIsAppliedAndLeavesItMissing() {
    TableSpec spec = clicks();
    store().createTable(spec);

    // "Applied" means the condition held (SPI of write()), not that a row existed.
    assertThat(store().write(spec.name(), List.of(OnlineWrite.delete(EntityKey.of("ghost"))))).isEqualTo(1);
    assertThat(store().get(spec.name(), EntityKey.of("ghost"))).isEmpty();
    assertThat(keys(spec)).isEmpty();
  }

  @Test
  void writeReturnsTheNumberOfWritesApplied() {
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("a", T0.plusSeconds(10), 1));
    WriteCondition never = stored -> false;

    long applied = store().write(spec.name(), List.of(
        OnlineWrite.put(EntityKey.of("b"), click("b", T0, 2)),                                      // applied
        OnlineWrite.putIfLater(EntityKey.of("a"), click("a", T0, 3), spec.latestOrder()),             // older: skipped
        new OnlineWrite(EntityKey.of("c"), Optional.of(click("c", T0, 4)), never),                   // skipped
        OnlineWrite.putIfLater(EntityKey.of("a"), click("a", T0.plusSeconds(11), 5), spec.latestOrder()), // applied
        OnlineWrite.fenced(EntityKey.of("b"), Optional.empty(), "ts", T0)));                          // at fence: skipped

    assertThat(applied).isEqualTo(2);
    assertThat(store().write(spec.name(), List.of())).isZero();
    assertThat(store().getAll(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("b"), EntityKey.of("c"))))
        .containsOnly(Map.entry(EntityKey.of("a"), click("a", T0.plusSeconds(11), 5)), Map.entry(EntityKey.of("b"), click("b", T0, 2)));
  }

  @Test
  void writesOfOneBatchApplyInListOrder() {
    TableSpec spec = clicks();
    store().createTable(spec);

    long applied = store().write(spec.name(), List.of(
        OnlineWrite.put(EntityKey.of("a"), click("a", T0, 1)),
        OnlineWrite.put(EntityKey.of("a"), click("a", T0, 2)),
        OnlineWrite.put(EntityKey.of("b"), click("b", T0, 3)),
        OnlineWrite.delete(EntityKey.of("b")),
        OnlineWrite.delete(EntityKey.of("c")),
        OnlineWrite.put(EntityKey.of("c"), click("c", T0, 4)),
        // Sees the row put two writes earlier in the same batch, so it is skipped.
        OnlineWrite.putIfLater(EntityKey.of("c"), click("c", T0.minusSeconds(1), 5), spec.latestOrder())));

    assertThat(applied).isEqualTo(6);
    assertThat(store().get(spec.name(), EntityKey.of("a"))).contains(click("a", T0, 2));
    assertThat(store().get(spec.name(), EntityKey.of("b"))).isEmpty();
    assertThat(store().get(spec.name(), EntityKey.of("c"))).contains(click("c", T0, 4));
  }

  @Test
  void conditionIsEvaluatedAgainstTheStoredRow() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Row stored = click("a", T0, 1);
    put(spec, stored);
    // A store may evaluate a condition more than once (optimistic retries), so keep every call.
    List<Optional<Row>> seenForA = Collections.synchronizedList(new ArrayList<>());
    List<Optional<Row>> seenForB = Collections.synchronizedList(new ArrayList<>());

    store().write(spec.name(), List.of(
        new OnlineWrite(EntityKey.of("a"), Optional.of(click("a", T0, 2)), s -> seenForA.add(s) && false),
        new OnlineWrite(EntityKey.of("b"), Optional.of(click("b", T0, 3)), s -> seenForB.add(s) && false)));

    assertThat(seenForA).isNotEmpty().allSatisfy(s -> assertThat(s).contains(stored));
    assertThat(seenForB).isNotEmpty().allSatisfy(s -> assertThat(s).isEmpty());
    assertThat(store().get(spec.name(), EntityKey.of("a"))).contains(stored);
    assertThat(store().get(spec.name(), EntityKey.of("b"))).isEmpty();
  }

  // ---------------------------------------------------------------- putIfLater

  @Test
  void putIfLaterOnAnEmptyKeyIsApplied() {
    TableSpec spec = clicks();
    store().createTable(spec);

    assertThat(putIfLater(spec, click("a", T0, 1))).isEqualTo(1);
    assertThat(store().get(spec.name(), EntityKey.of("a"))).contains(click("a", T0, 1));
  }

  @Test
  void putIfLaterKeepsTheNewerEventTime() {
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("a", T0, 50));

    // Values that would win a tie must not matter when event times differ.
    assertThat(putIfLater(spec, click("a", T0.minusNanos(1_000), 99))).isZero();
    assertThat(store().get(spec.name(), EntityKey.of("a"))).contains(click("a", T0, 50));
    assertThat(putIfLater(spec, click("a", T0.plusNanos(1_000), 1))).isEqualTo(1);
    assertThat(store().get(spec.name(), EntityKey.of("a"))).contains(click("a", T0.plusNanos(1_000), 1));
  }

  @Test
  void putIfLaterBreaksEventTimeTiesByTheLatestOrder() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Schema s = spec.schema();
    EntityKey key = EntityKey.of("x", 1L);
    Row stored = Row.of(s, "x", 1L, T0, "m", 5L, 1.0, false, T0);
    Row nullFirstFeature = Row.of(s, "x", 1L, T0, null, 99L, 9.0, true, T0);
    Row smallerLong = Row.of(s, "x", 1L, T0, "m", 4L, 9.0, true, T0);
    Row greaterDouble = Row.of(s, "x", 1L, T0, "m", 5L, 1.5, false, T0);
    Row greaterBoolean = Row.of(s, "x", 1L, T0, "m", 5L, 1.5, true, T0);
    store().write(spec.name(), List.of(OnlineWrite.put(key, stored)));

    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(key, nullFirstFeature, spec.latestOrder())))).isZero();
    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(key, smallerLong, spec.latestOrder())))).isZero();
    // A row equal to the stored one is not later: nothing to write.
    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(key, stored, spec.latestOrder())))).isZero();
    assertThat(store().get(spec.name(), key)).contains(stored);
    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(key, greaterDouble, spec.latestOrder())))).isEqualTo(1);
    assertThat(store().write(spec.name(), List.of(OnlineWrite.putIfLater(key, greaterBoolean, spec.latestOrder())))).isEqualTo(1);
    assertThat(store().get(spec.name(), key)).contains(greaterBoolean);
  }

  // ---------------------------------------------------------------- fenced

  @Test
  void fencedPutIsSkippedWhenTheStoredRowIsAtOrAfterTheFence() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Instant fence = T0.plusSeconds(100);
    Row atFence = click("at", fence, 1);
    Row afterFence = click("after", fence.plusNanos(1_000), 2);
    put(spec, atFence, afterFence);

    long applied = store().write(spec.name(), List.of(
        OnlineWrite.fenced(EntityKey.of("at"), Optional.of(click("at", T0, 10)), "ts", fence),
        OnlineWrite.fenced(EntityKey.of("after"), Optional.of(click("after", T0, 20)), "ts", fence)));

    assertThat(applied).isZero();
    assertThat(store().get(spec.name(), EntityKey.of("at"))).contains(atFence);
    assertThat(store().get(spec.name(), EntityKey.of("after"))).contains(afterFence);
  }

  @Test
  void fencedPutIsAppliedWhenTheStoredRowIsBeforeTheFenceOrAbsent() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Instant fence = T0.plusSeconds(100);
    put(spec, click("before", fence.minusNanos(1_000), 1));
    // An older row with a fence: backfills may write corrections older than what is stored.
    Row correction = click("before", T0, 10);
    Row fresh = click("absent", T0, 20);

    long applied = store().write(spec.name(), List.of(
        OnlineWrite.fenced(EntityKey.of("before"), Optional.of(correction), "ts", fence),
        OnlineWrite.fenced(EntityKey.of("absent"), Optional.of(fresh), "ts", fence)));

    assertThat(applied).isEqualTo(2);
    assertThat(store().get(spec.name(), EntityKey.of("before"))).contains(correction);
    assertThat(store().get(spec.name(), EntityKey.of("absent"))).contains(fresh);
  }

  @Test
  void fencedDeleteRemovesOnlyKeysStoredBeforeTheFence() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Instant fence = T0.plusSeconds(100);
    Row after = click("after", fence, 2);
    put(spec, click("before", fence.minusNanos(1_000), 1), after);

    long applied = store().write(spec.name(), List.of(
        OnlineWrite.fenced(EntityKey.of("before"), Optional.empty(), "ts", fence),
        OnlineWrite.fenced(EntityKey.of("after"), Optional.empty(), "ts", fence)));

    assertThat(applied).isEqualTo(1);
    assertThat(store().get(spec.name(), EntityKey.of("before"))).isEmpty();
    assertThat(store().get(spec.name(), EntityKey.of("after"))).contains(after);
  }

  // ---------------------------------------------------------------- writeChanged

  @Test
  void writeChangedSkipsKeysThatHoldTheirTargetAndCountsTheOthers() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Row same = click("same", T0, 1);
    Row old = click("changed", T0, 2);
    Row gone = click("gone", T0, 3);
    put(spec, same, old, gone);
    Row changed = click("changed", T0.minusSeconds(5), 20); // an older correction is written too
    Row fresh = click("fresh", T0, 4);
    Row nullLabel = Row.of(spec.schema(), "same", T0, 1L, null);

    ChangedKeys first = store().writeChanged(spec.name(), List.of(
        OnlineWrite.put(EntityKey.of("same"), same),
        OnlineWrite.put(EntityKey.of("changed"), changed),
        OnlineWrite.put(EntityKey.of("fresh"), fresh),
        OnlineWrite.delete(EntityKey.of("gone")),
        OnlineWrite.delete(EntityKey.of("never"))));

    assertThat(first).isEqualTo(new ChangedKeys(2, 1));
    assertThat(store().get(spec.name(), EntityKey.of("same"))).contains(same);
    assertThat(store().get(spec.name(), EntityKey.of("changed"))).contains(changed);
    assertThat(store().get(spec.name(), EntityKey.of("fresh"))).contains(fresh);
    assertThat(store().get(spec.name(), EntityKey.of("gone"))).isEmpty();
    assertThat(store().get(spec.name(), EntityKey.of("never"))).isEmpty();
    // The same targets again change nothing; a feature that became null is a change.
    assertThat(store().writeChanged(spec.name(), List.of(OnlineWrite.put(EntityKey.of("changed"), changed),
        OnlineWrite.delete(EntityKey.of("gone"))))).isEqualTo(ChangedKeys.none());
    assertThat(store().writeChanged(spec.name(), List.of(OnlineWrite.put(EntityKey.of("same"), nullLabel))))
        .isEqualTo(new ChangedKeys(1, 0));
    assertThat(store().get(spec.name(), EntityKey.of("same"))).contains(nullLabel);
  }

  @Test
  void writeChangedComparesValuesAsRowEqualityDoes() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    List<Row> rows = allTypesRows();
    put(spec, rows.toArray(Row[]::new));

    // Every edge value (NaN, infinities, -0.0, pre-1970 instants, non-BMP strings) is its own target.
    assertThat(store().writeChanged(spec.name(), rows.stream().map(r -> OnlineWrite.put(spec.keyOf(r), r)).toList()))
        .isEqualTo(ChangedKeys.none());
    Row negativeZero = Row.of(spec.schema(), "zero", 1L, T0, "s", 1L, -0.0, true, T0);
    Row positiveZero = Row.of(spec.schema(), "zero", 1L, T0, "s", 1L, 0.0, true, T0);
    put(spec, negativeZero);
    assertThat(store().writeChanged(spec.name(), List.of(OnlineWrite.put(spec.keyOf(positiveZero), positiveZero))))
        .as("0.0 replaces -0.0: they are different rows").isEqualTo(new ChangedKeys(1, 0));
    assertThat(store().get(spec.name(), spec.keyOf(positiveZero))).contains(positiveZero);
  }

  @Test
  void writeChangedKeepsTheConditionOfEachWrite() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Instant fence = T0.plusSeconds(100);
    Row atFence = click("at", fence, 1);
    Row before = click("before", T0, 2);
    put(spec, atFence, before);

    ChangedKeys changed = store().writeChanged(spec.name(), List.of(
        OnlineWrite.fenced(EntityKey.of("at"), Optional.empty(), "ts", fence),
        OnlineWrite.fenced(EntityKey.of("before"), Optional.of(click("before", T0, 20)), "ts", fence),
        OnlineWrite.fenced(EntityKey.of("absent"), Optional.of(click("absent", fence.plusSeconds(1), 3)), "ts", fence)));

    assertThat(changed).isEqualTo(new ChangedKeys(2, 0));
    assertThat(store().get(spec.name(), EntityKey.of("at"))).contains(atFence);
    assertThat(store().get(spec.name(), EntityKey.of("before"))).contains(click("before", T0, 20));
    assertThat(store().get(spec.name(), EntityKey.of("absent"))).contains(click("absent", fence.plusSeconds(1), 3));
  }

  // ---------------------------------------------------------------- keys

  @Test
  void keysListsEveryStoredKeyOnce() {
    TableSpec spec = clicks();
    store().createTable(spec);
    List<Row> rows = IntStream.range(0, 50).mapToObj(i -> click("k" + i, T0, i)).toList();
    put(spec, rows.toArray(Row[]::new));
    // Rewrites must not make a key appear twice.
    put(spec, click("k0", T0.plusSeconds(1), 100), click("k1", T0.plusSeconds(1), 101));
    store().write(spec.name(), IntStream.range(40, 50).mapToObj(i -> OnlineWrite.delete(EntityKey.of("k" + i))).toList());

    List<EntityKey> keys = keys(spec);

    assertThat(keys).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 40).mapToObj(i -> EntityKey.of("k" + i)).toList());
  }

  @Test
  void keysOfCompositeKeysRoundTrip() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    List<Row> rows = allTypesRows();
    store().write(spec.name(), rows.stream().map(r -> OnlineWrite.put(spec.keyOf(r), r)).toList());

    // The listed keys must be usable as they are: same part types, so get() finds them.
    List<EntityKey> keys = keys(spec);
    assertThat(keys).containsExactlyInAnyOrderElementsOf(rows.stream().map(spec::keyOf).toList());
    for (EntityKey key : keys) {
      assertThat(store().get(spec.name(), key)).isPresent();
    }
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void concurrentPutIfLaterKeepsTheGreatestRowOfEveryKey() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    int threads = 4;
    int writesPerThread = 1500;
    int keyCount = 16;
    List<List<Row>> written = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random random = new Random(1000L + t);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < writesPerThread; i++) {
        // Few distinct event times, so that many writes tie and the value order decides.
        rows.add(Row.of(spec.schema(), "k" + random.nextInt(keyCount), T0.plusSeconds(random.nextInt(4)),
            (long) random.nextInt(1000), random.nextInt(5) == 0 ? null : "v" + random.nextInt(10)));
      }
      written.add(rows);
    }

    ContractThreads.runConcurrently(threads, t -> {
      List<Row> rows = written.get(t);
      Random batches = new Random(t);
      for (int i = 0; i < rows.size(); ) {
        int n = Math.min(1 + batches.nextInt(20), rows.size() - i);
        store().write(spec.name(), rows.subList(i, i + n).stream()
            .map(r -> OnlineWrite.putIfLater(spec.keyOf(r), r, spec.latestOrder())).toList());
        i += n;
      }
    });

    Map<EntityKey, Row> expected = new HashMap<>();
    written.stream().flatMap(List::stream).forEach(r ->
        expected.merge(spec.keyOf(r), r, spec::laterOf));
    assertThat(expected).hasSize(keyCount);
    assertThat(store().getAll(spec.name(), expected.keySet())).isEqualTo(expected);
  }

  @Test
  void conditionalIncrementsFromManyThreadsLoseNoUpdate() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    int threads = 4;
    int incrementsPerThread = 300;
    // One key for the counts, so that every thread contends on it; a second key is written
    // alongside to catch a store that serialises per table but mixes up keys.
    EntityKey counter = EntityKey.of("counter");
    EntityKey other = EntityKey.of("other");
    put(spec, click("counter", T0, 0), click("other", T0, 0));

    // Compare-and-set increments: every write is contended, so a store that reads the stored row
    // and writes in two steps lets two threads apply against the same row and loses a count.
    // The putIfLater test above only catches such a race when it hits the final write of a key.
    ContractThreads.runConcurrently(threads, t -> {
      for (int i = 0; i < incrementsPerThread; i++) {
        EntityKey key = i % 10 == 9 ? other : counter;
        while (true) {
          Row seen = store().get(spec.name(), key).orElseThrow();
          Row next = click(seen.getString("user"), T0, seen.getLong("count") + 1);
          WriteCondition unchanged = stored -> stored.isPresent() && stored.get().equals(seen);
          if (store().write(spec.name(), List.of(new OnlineWrite(key, Optional.of(next), unchanged))) == 1) {
            break;
          }
        }
      }
    });

    long ofOther = (long) threads * (incrementsPerThread / 10);
    assertThat(store().get(spec.name(), counter).orElseThrow().getLong("count"))
        .as("increments of the contended key").isEqualTo((long) threads * incrementsPerThread - ofOther);
    assertThat(store().get(spec.name(), other).orElseThrow().getLong("count")).isEqualTo(ofOther);
  }

  @Test
  void readersNeverSeeAKeyMissingWhileItIsOverwritten() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    int keyCount = 20;
    int rounds = 300;
    List<EntityKey> keys = IntStream.range(0, keyCount).mapToObj(i -> EntityKey.of("k" + i)).toList();
    put(spec, IntStream.range(0, keyCount).mapToObj(i -> click("k" + i, T0, 0)).toArray(Row[]::new));
    AtomicBoolean writerDone = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    Set<String> problems = Collections.synchronizedSet(new HashSet<>());

    ContractThreads.runConcurrently(3, t -> {
      if (t == 0) {
        try {
          for (int round = 1; round <= rounds; round++) {
            int r = round;
            // Unconditional puts and newest-wins puts: both must replace a key in one step.
            store().write(spec.name(), IntStream.range(0, keyCount)
                .mapToObj(i -> r % 2 == 0
                    ? OnlineWrite.put(keys.get(i), click("k" + i, T0.plusSeconds(r), r))
                    : OnlineWrite.putIfLater(keys.get(i), click("k" + i, T0.plusSeconds(r), r), spec.latestOrder()))
                .toList());
          }
        } finally {
          writerDone.set(true);
        }
      } else {
        do {
          Map<EntityKey, Row> seen = new HashMap<>();
          if (t == 1) {
            for (EntityKey key : keys) {
              store().get(spec.name(), key).ifPresent(row -> seen.put(key, row));
            }
          } else {
            seen.putAll(store().getAll(spec.name(), keys));
          }
          reads.incrementAndGet();
          for (EntityKey key : keys) {
            Row row = seen.get(key);
            if (row == null) {
              problems.add("key " + key + " was missing");
            } else if (!spec.keyOf(row).equals(key) || !row.getString("label").equals("label-" + row.getLong("count"))
                || !row.getInstant("ts").equals(T0.plusSeconds(row.getLong("count")))) {
              problems.add("key " + key + " had a row no write produced: " + row);
            }
          }
        } while (!writerDone.get());
      }
    });

    assertThat(problems).isEmpty();
    assertThat(reads.get()).isPositive();
    for (int i = 0; i < keyCount; i++) {
      assertThat(store().get(spec.name(), keys.get(i))).contains(click("k" + i, T0.plusSeconds(rounds), rounds));
    }
  }

  @Test
  void aTableWhoseNameDiffersOnlyInCaseFromAnExistingOneIsRefused() {
    // Issue 17 point 4.
    TableSpec spec = clicks();
    store().createTable(spec);
    put(spec, click("u1", T0, 1));

    assertThatThrownBy(() -> store().createTable(clicks("Clicks")))
        .isInstanceOf(InvalidFeatureSetException.class).hasMessageContaining("'Clicks'").hasMessageContaining("'clicks'");
    assertThat(store().get(spec.name(), EntityKey.of("u1"))).contains(click("u1", T0, 1));
  }

  @Test
  void doubleAndStringKeysThatAStoreCouldMergeStayDistinctKeys() {
    // Issue 17 points 1, 2, 6: as the offline kit's test of the same name.
    TableSpec spec = doubleKeyed();
    store().createTable(spec);
    List<Row> rows = doubleKeyedRows(T0, 0);
    put(spec, rows.toArray(Row[]::new));

    for (Row row : rows) {
      assertThat(store().get(spec.name(), spec.keyOf(row))).as("key %s", spec.keyOf(row)).contains(row);
    }
    assertThat(keys(spec)).containsExactlyInAnyOrderElementsOf(rows.stream().map(spec::keyOf).toList());
    Row nan = rows.get(1);
    assertThat(store().write(spec.name(), List.of(OnlineWrite.delete(spec.keyOf(nan))))).isEqualTo(1);
    assertThat(store().get(spec.name(), spec.keyOf(nan))).isEmpty();
    assertThat(store().get(spec.name(), spec.keyOf(rows.get(0)))).as("0.0 beside NaN").contains(rows.get(0));
    assertThat(keys(spec)).hasSize(rows.size() - 1);
  }

  // ---------------------------------------------------------------- helpers

  private void put(TableSpec spec, Row... rows) {
    long applied = store().write(spec.name(), Stream.of(rows).map(r -> OnlineWrite.put(spec.keyOf(r), r)).toList());
    assertThat(applied).as("unconditional puts applied").isEqualTo(rows.length);
  }

  private long putIfLater(TableSpec spec, Row row) {
    return store().write(spec.name(), List.of(OnlineWrite.putIfLater(spec.keyOf(row), row, spec.latestOrder())));
  }

  /** The listed keys, after checking that none is listed twice. */
  private List<EntityKey> keys(TableSpec spec) {
    List<EntityKey> keys;
    try (Stream<EntityKey> stream = store().keys(spec.name())) {
      keys = stream.toList();
    }
    assertThat(keys).as("keys() lists each key once").doesNotHaveDuplicates();
    return keys;
  }
}
