package dev.backfill.testkit;

import static dev.backfill.testkit.ContractData.FIRST_SUPPORTED;
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

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineReplacement.Commit;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OfflineStore} must keep. A plugin author extends this class in the
 * plugin's tests and returns a fresh, empty store; every test of the kit then runs against it:
 *
 * <pre>{@code
 * class DuckDbOfflineStoreContractTest extends OfflineStoreContractTest {
 *   @TempDir Path dir;
 *
 *   @Override
 *   protected OfflineStore createStore() {
 *     return Plugins.offlineStore("duckdb", Map.of("path", dir.resolve("offline.duckdb").toString()));
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #createStore()} is called once before each test and must return a store with no
 * tables; the kit closes it after the test. Subclasses may add their own tests and reach the
 * store under test through {@link #store()}.
 *
 * <p>What the kit checks, and so what every offline store must guarantee:
 * <ul>
 *   <li><b>Tables.</b> {@code createTable} is idempotent and keeps existing rows; re-creating a
 *       table with another schema, key or event-time column is an
 *       {@link InvalidFeatureSetException}; {@code table(name)} returns the spec; reading or
 *       writing a table that does not exist is a {@link StoreException} whose message names it;
 *       {@code dropTable} deletes a table's rows, spec and commit ids (the name can then be
 *       created with another spec), leaves other tables alone and can be repeated (or, for a store
 *       that overrides {@code supportsDropTable()} to false, is refused and changes nothing).</li>
 *   <li><b>Values.</b> Every {@link FieldType}, nulls (distinct from empty strings), composite
 *       keys and extreme values round-trip unchanged, with their Java classes: among them NaN,
 *       both infinities and -0.0 (which {@link TableSpec#latestOrder()} tells from 0.0), empty
 *       and non-BMP strings, pre-1970 instants. Timestamps need only keep microsecond precision:
 *       the kit never uses finer instants, because the SQL stores it targets keep microseconds.
 *       Strings never hold a lone UTF-16 surrogate (the engine refuses them).</li>
 *   <li><b>Keys.</b> Key values are what {@link EntityKey} makes them: a DOUBLE key is never
 *       {@code -0.0} (the engine writes {@code 0.0}) and every NaN is {@code Double.NaN}. NaN,
 *       both infinities, the smallest doubles, {@code "?"}, a replacement character and a
 *       non-BMP string are each a key of their own in {@code latest}, {@code keys},
 *       {@code contents} and {@code changedKeys}.</li>
 *   <li><b>Names.</b> A table whose name differs only in case from an existing table's is an
 *       {@link InvalidFeatureSetException} ({@link dev.backfill.spi.TableNames}).</li>
 *   <li><b>Event log.</b> Duplicate rows, even identical ones, are all kept.</li>
 *   <li><b>Ranges are half-open.</b> A scan or replacement of {@code [start, stop)} includes a
 *       row at {@code start} and excludes a row at {@code stop}, exactly even when a scan's bound
 *       is finer than a microsecond; {@code contents} counts the same rows, and their keys.</li>
 *   <li><b>Supported range.</b> The first and last supported instants
 *       ({@code 0001-01-01T00:00:00Z}, {@code 9999-12-31T23:59:59.999999Z}) round-trip through
 *       append, scan, latest and replacement like any other.</li>
 *   <li><b>Replacements.</b> Staged rows are invisible until commit; a commit swaps the range
 *       (or, with an empty range, everything) atomically and reports exact counts; closing
 *       without commit changes nothing; {@code isCommitted} is true after commit only;
 *       {@code changedKeys()} lists each key that lost or gained a row exactly once.</li>
 *   <li><b>Snapshot scans.</b> A scan opened before a commit returns the old rows to its end, and
 *       the commit does not wait for that scan to be closed (a long training read must not stall
 *       backfills); a scan opened after sees the new rows.</li>
 *   <li><b>Latest rows.</b> {@code latest} returns the greatest row per key by
 *       {@link TableSpec#latestOrder()} (ties on event time broken by the columns in schema order,
 *       null lowest), across partitions and after replacements; keys without rows are absent.</li>
 *   <li><b>Keys.</b> {@code keys(table, range)} lists each key with a row in the half-open range
 *       once, for a bounded range and for {@link TimeRange#all()}, and follows replacements.</li>
 *   <li><b>Concurrency.</b> Concurrent appends lose nothing; one replacement accepts writes from
 *       several threads; two replacements of disjoint ranges of one table can be open at once and
 *       commit from two threads, and both take effect.</li>
 * </ul>
 * Concurrency tests give their threads two minutes before failing: a guard against a deadlocked
 * store hanging the build, not a speed requirement.
 * The kit does not measure speed (that "cost follows the range" is a benchmark's job), and it
 * uses small data sets, so that it runs in seconds.
 */
public abstract class OfflineStoreContractTest extends StoreContractTest<OfflineStore> {
  // ---------------------------------------------------------------- tables

  @Test
  void createTableIsIdempotentAndKeepsRows() {
    TableSpec spec = clicks();
    store().createTable(spec);
    store().append(spec.name(), List.of(click("u1", T0, 1)));

    store().createTable(spec);

    assertThat(store().table(spec.name())).contains(spec);
    assertThat(scanAll(spec)).containsExactly(click("u1", T0, 1));
  }

  @Test
  void tableReturnsTheSpecOfACreatedTableAndEmptyForAnUnknownOne() {
    TableSpec spec = allTypes();
    store().createTable(spec);

    assertThat(store().table(spec.name())).contains(spec);
    assertThat(store().table("no_such_table")).isEmpty();
  }

  @Test
  void createTableWithAnotherSchemaKeyOrEventTimeThrows() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Schema schema = spec.schema();
    TableSpec otherFeatureType = FeatureSet.builder(spec.name()).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.DOUBLE).feature("label", FieldType.STRING).backfillStart(T0).build().table();
    TableSpec extraColumn = FeatureSet.builder(spec.name()).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.LONG).feature("label", FieldType.STRING).feature("extra", FieldType.BOOLEAN)
        .backfillStart(T0).build().table();
    // Same columns, different roles: a store that compares only column lists would accept these.
    TableSpec otherKeys = new TableSpec(spec.name(), schema, List.of("user", "label"), "ts");
    Schema twoTimes = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
        new Field("ts2", FieldType.TIMESTAMP));
    TableSpec timesA = new TableSpec("two_times", twoTimes, List.of("user"), "ts");
    TableSpec timesB = new TableSpec("two_times", twoTimes, List.of("user"), "ts2");
    store().createTable(timesA);

    for (TableSpec conflicting : List.of(otherFeatureType, extraColumn, otherKeys)) {
      assertThatThrownBy(() -> store().createTable(conflicting))
          .as("re-creating %s as %s", spec, conflicting)
          .isInstanceOf(InvalidFeatureSetException.class);
    }
    assertThatThrownBy(() -> store().createTable(timesB)).isInstanceOf(InvalidFeatureSetException.class);
    assertThat(store().table(spec.name())).contains(spec);
    assertThat(store().table("two_times")).contains(timesA);
  }

  @Test
  void unknownTableIsAStoreExceptionNamingTheTable() {
    String missing = "missing_table";
    TimeRange range = TimeRange.of(T0, T0.plusSeconds(60));
    Row row = click("u1", T0, 1);
    // A second, existing table makes sure the store does not fall back to some other table.
    store().createTable(clicks());

    assertThatThrownBy(() -> store().append(missing, List.of(row)))
        .isInstanceOf(StoreException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> {
      // A lazy store may only fail when the stream is consumed; either is fine.
      try (Stream<Row> rows = store().scan(missing, range)) {
        rows.count();
      }
    }).isInstanceOf(StoreException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> {
      try (OfflineReplacement replacement = store().beginReplace(missing, Optional.of(range), "c-missing")) {
        replacement.write(List.of(row));
        replacement.commit();
      }
    }).isInstanceOf(StoreException.class).hasMessageContaining(missing);
  }

  /**
   * Whether the store implements {@link OfflineStore#dropTable}; a store that keeps the default
   * (which refuses) overrides this to return false, and the kit then checks that a drop is
   * refused with a {@link StoreException} and changes nothing.
   */
  protected boolean supportsDropTable() {
    return true;
  }

  @Test
  void dropTableDeletesRowsSpecAndCommitsAndTheNameCanBeCreatedAnew() {
    TableSpec spec = clicks();
    TableSpec other = clicks("clicks_other");
    store().createTable(spec);
    store().createTable(other);
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.empty(), "commit-1")) {
      replacement.write(List.of(click("u1", T0, 1), click("u2", T0.plusSeconds(1), 2)));
      replacement.commit();
    }
    store().append(other.name(), List.of(Row.of(other.schema(), "u1", T0, 9L, "kept")));

    if (!supportsDropTable()) {
      assertThatThrownBy(() -> store().dropTable(spec.name())).isInstanceOf(StoreException.class)
          .hasMessageContaining(spec.name());
      assertThat(scanAll(spec)).hasSize(2);
      return;
    }
    store().dropTable(spec.name());

    assertThat(store().table(spec.name())).isEmpty();
    assertThatThrownBy(() -> {
      try (Stream<Row> rows = store().scan(spec.name(), TimeRange.all())) {
        rows.count();
      }
    }).isInstanceOf(StoreException.class).hasMessageContaining(spec.name());
    assertThat(scanAll(other)).containsExactly(Row.of(other.schema(), "u1", T0, 9L, "kept"));
    assertThat(store().table(other.name())).contains(other);
    store().dropTable(spec.name());
    store().dropTable("never_created");

    TableSpec otherTypes = FeatureSet.builder(spec.name()).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.DOUBLE).backfillStart(T0).build().table();
    store().createTable(otherTypes);
    assertThat(store().table(spec.name())).contains(otherTypes);
    assertThat(scanAll(otherTypes)).isEmpty();
    assertThat(store().isCommitted(spec.name(), "commit-1")).isFalse();
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("u1")))).isEmpty();
    Row fresh = Row.of(otherTypes.schema(), "u1", T0, 1.5);
    store().append(spec.name(), List.of(fresh));
    assertThat(scanAll(otherTypes)).containsExactly(fresh);
  }

  @Test
  void tablesAreIndependent() {
    TableSpec a = clicks("clicks_a");
    TableSpec b = clicks("clicks_b");
    store().createTable(a);
    store().createTable(b);
    store().append(a.name(), List.of(Row.of(a.schema(), "u1", T0, 1L, "a")));
    store().append(b.name(), List.of(Row.of(b.schema(), "u1", T0, 2L, "b")));

    try (OfflineReplacement reset = store().beginReplace(a.name(), Optional.empty(), "reset-a")) {
      reset.commit();
    }

    assertThat(scanAll(a)).isEmpty();
    assertThat(scanAll(b)).containsExactly(Row.of(b.schema(), "u1", T0, 2L, "b"));
    assertThat(store().isCommitted(b.name(), "reset-a")).isFalse();
  }

  // ---------------------------------------------------------------- append and scan

  @Test
  void scanOfAnEmptyTableIsEmpty() {
    TableSpec spec = clicks();
    store().createTable(spec);

    assertThat(scanAll(spec)).isEmpty();
  }

  @Test
  void scanReturnsRowsOfTheHalfOpenRange() {
    TableSpec spec = clicks();
    store().createTable(spec);
    // Neither bound on a day or hour boundary, so partitioned stores must filter within partitions.
    Instant start = T0.plus(Duration.ofHours(30).plusMinutes(15));
    Instant stop = T0.plus(Duration.ofHours(75).plusMinutes(45));
    Row beforeStart = click("u1", start.minusNanos(1_000), 1);
    Row atStart = click("u1", start, 2);
    Row inside = click("u2", T0.plus(Duration.ofHours(48)), 3);
    Row beforeStop = click("u3", stop.minusNanos(1_000), 4);
    Row atStop = click("u3", stop, 5);
    Row farAfter = click("u4", stop.plus(Duration.ofDays(10)), 6);
    store().append(spec.name(), List.of(beforeStart, atStart, inside, beforeStop, atStop, farAfter));

    assertThat(scan(spec, TimeRange.of(start, stop))).containsExactlyInAnyOrder(atStart, inside, beforeStop);
    assertThat(scan(spec, TimeRange.of(stop, stop.plusNanos(1_000)))).containsExactly(atStop);
    assertThat(scanAll(spec)).hasSize(6);
  }

  @Test
  void appendedRowsAreVisibleToLaterScans() {
    TableSpec spec = clicks();
    store().createTable(spec);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(click("u" + (i % 37), T0.plus(Duration.ofMinutes(17L * i)), i));
    }
    store().append(spec.name(), rows.subList(0, 200));
    store().append(spec.name(), rows.subList(200, 500));

    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(rows);
  }

  @Test
  void duplicateRowsAreAllKept() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Row row = click("u1", T0, 7);
    Row sameKeyAndTime = click("u1", T0, 8);

    store().append(spec.name(), List.of(row, row, sameKeyAndTime));
    store().append(spec.name(), List.of(row));

    assertThat(scanAll(spec)).containsExactlyInAnyOrder(row, row, row, sameKeyAndTime);
  }

  @Test
  void nullFeatureValuesRoundTrip() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Row allNull = Row.of(spec.schema(), "eu", 1L, T0, null, null, null, null, null);
    Row emptyString = Row.of(spec.schema(), "eu", 2L, T0, "", null, null, null, null);
    store().append(spec.name(), List.of(allNull, emptyString));

    // An empty string is a value, not a null: stores that conflate them fail here.
    assertThat(scanAll(spec)).containsExactlyInAnyOrder(allNull, emptyString);
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("eu", 1L), EntityKey.of("eu", 2L))))
        .containsEntry(EntityKey.of("eu", 1L), allNull)
        .containsEntry(EntityKey.of("eu", 2L), emptyString);
  }

  @Test
  void everyFieldTypeRoundTrips() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    List<Row> rows = allTypesRows();
    store().append(spec.name(), rows);

    List<Row> scanned = scanAll(spec);

    assertThat(scanned).containsExactlyInAnyOrderElementsOf(rows);
    // Row equality already compares values; the classes matter too, because callers cast.
    for (Row row : scanned) {
      for (int i = 0; i < spec.schema().size(); i++) {
        if (row.get(i) != null) {
          assertThat(row.get(i)).isInstanceOf(spec.schema().fields().get(i).type().javaType());
        }
      }
      assertThat(row.schema()).isEqualTo(spec.schema());
    }
    // Each row has its own key, so latest() must return every row too, by its decoded key.
    Map<EntityKey, Row> latest = store().latest(spec.name(), rows.stream().map(spec::keyOf).toList());
    assertThat(latest).hasSize(rows.size());
    rows.forEach(row -> assertThat(latest).containsEntry(spec.keyOf(row), row));
  }

  @Test
  void compositeKeysAreDistinguishedByEveryPart() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Row a1 = Row.of(spec.schema(), "a", 1L, T0, "a1", null, null, null, null);
    Row a2 = Row.of(spec.schema(), "a", 2L, T0, "a2", null, null, null, null);
    Row b1 = Row.of(spec.schema(), "b", 1L, T0, "b1", null, null, null, null);
    store().append(spec.name(), List.of(a1, a2, b1));

    Map<EntityKey, Row> latest = store().latest(spec.name(),
        List.of(EntityKey.of("a", 1L), EntityKey.of("a", 2L), EntityKey.of("b", 1L), EntityKey.of("b", 2L)));

    assertThat(latest).containsOnly(
        Map.entry(EntityKey.of("a", 1L), a1), Map.entry(EntityKey.of("a", 2L), a2), Map.entry(EntityKey.of("b", 1L), b1));
  }

  // ---------------------------------------------------------------- replacements

  @Test
  void replacementReplacesOnlyTheRange() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Instant start = T0.plus(Duration.ofHours(30).plusMinutes(15));
    Instant stop = T0.plus(Duration.ofHours(75).plusMinutes(45));
    TimeRange range = TimeRange.of(start, stop);
    List<Row> old = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // Every 3 hours over 5 days, keys u0..u4: rows on both sides of the range and inside it.
      old.add(click("u" + (i % 5), T0.plus(Duration.ofHours(3L * i)), i));
    }
    old.add(click("edge", start.minusNanos(1_000), 100));
    old.add(click("edge", start, 101));
    old.add(click("edge", stop.minusNanos(1_000), 102));
    old.add(click("edge", stop, 103));
    old.add(click("outside_only", stop.plus(Duration.ofDays(1)), 104));
    store().append(spec.name(), old);
    List<Row> fresh = List.of(click("u1", start, 1000), click("new_key", start.plusSeconds(1), 1001),
        click("new_key", stop.minusNanos(1_000), 1002));

    Commit commit;
    Set<EntityKey> changed;
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "c1")) {
      replacement.write(fresh);
      commit = replacement.commit();
      changed = changedKeys(replacement);
    }

    List<Row> deleted = old.stream().filter(r -> range.contains(spec.eventTimeOf(r))).toList();
    List<Row> kept = old.stream().filter(r -> !range.contains(spec.eventTimeOf(r))).toList();
    assertThat(deleted).hasSizeGreaterThan(5);
    List<Row> expected = new ArrayList<>(kept);
    expected.addAll(fresh);
    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(commit).isEqualTo(new Commit(deleted.size(), fresh.size()));
    Set<EntityKey> expectedKeys = Stream.concat(deleted.stream(), fresh.stream()).map(spec::keyOf)
        .collect(Collectors.toSet());
    assertThat(changed).isEqualTo(expectedKeys).doesNotContain(EntityKey.of("outside_only"));
  }

  @Test
  void replacementWithAnEmptyRangeResetsTheTable() {
    TableSpec spec = clicks();
    store().createTable(spec);
    List<Row> old = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      // Spread over 90 days so a reset must clear many partitions.
      old.add(click("old" + (i % 6), T0.plus(Duration.ofDays(3L * i)), i));
    }
    store().append(spec.name(), old);
    List<Row> fresh = List.of(click("old0", T0.minus(Duration.ofDays(400)), 1), click("brand_new", T0, 2));

    Commit commit;
    Set<EntityKey> changed;
    try (OfflineReplacement reset = store().beginReplace(spec.name(), Optional.empty(), "reset-1")) {
      reset.write(fresh);
      commit = reset.commit();
      changed = changedKeys(reset);
    }

    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(fresh);
    assertThat(commit).isEqualTo(new Commit(old.size(), fresh.size()));
    Set<EntityKey> expectedKeys = Stream.concat(old.stream(), fresh.stream()).map(spec::keyOf).collect(Collectors.toSet());
    assertThat(changed).isEqualTo(expectedKeys);
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("old1"), EntityKey.of("old0"))))
        .containsOnly(Map.entry(EntityKey.of("old0"), fresh.get(0)));
  }

  @Test
  void emptyReplacementDeletesTheRange() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)));
    Row before = click("a", T0, 1);
    Row inside1 = click("a", T0.plus(Duration.ofHours(30)), 2);
    Row inside2 = click("b", T0.plus(Duration.ofHours(40)), 3);
    Row atStop = click("c", range.stop(), 4);
    store().append(spec.name(), List.of(before, inside1, inside2, atStop));

    Commit commit;
    Set<EntityKey> changed;
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "delete-day")) {
      commit = replacement.commit();
      changed = changedKeys(replacement);
    }

    assertThat(commit).isEqualTo(new Commit(2, 0));
    assertThat(changed).containsExactlyInAnyOrder(EntityKey.of("a"), EntityKey.of("b"));
    assertThat(scanAll(spec)).containsExactlyInAnyOrder(before, atStop);
    assertThat(store().isCommitted(spec.name(), "delete-day")).isTrue();
  }

  @Test
  void replacementOfAnEmptyRangeChangesNoKey() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Row outside = click("a", T0, 1);
    store().append(spec.name(), List.of(outside));

    Commit commit;
    Set<EntityKey> changed;
    try (OfflineReplacement replacement = store().beginReplace(spec.name(),
        Optional.of(TimeRange.of(T0.plus(Duration.ofDays(5)), T0.plus(Duration.ofDays(6)))), "noop")) {
      commit = replacement.commit();
      changed = changedKeys(replacement);
    }

    assertThat(commit).isEqualTo(new Commit(0, 0));
    assertThat(changed).isEmpty();
    assertThat(scanAll(spec)).containsExactly(outside);
  }

  @Test
  void closeWithoutCommitLeavesTheTableUnchanged() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(1)));
    List<Row> old = List.of(click("a", T0.plusSeconds(10), 1), click("b", T0.plusSeconds(20), 2));
    store().append(spec.name(), old);

    OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "abandoned");
    replacement.write(List.of(click("a", T0.plusSeconds(30), 3), click("c", T0.plusSeconds(40), 4)));
    replacement.close();
    replacement.close(); // idempotent

    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(old);
    assertThat(store().isCommitted(spec.name(), "abandoned")).isFalse();
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("c"))))
        .containsOnly(Map.entry(EntityKey.of("a"), old.get(0)));
    // The abandoned replacement must not hold back a later one of the same range.
    try (OfflineReplacement next = store().beginReplace(spec.name(), Optional.of(range), "next")) {
      next.write(List.of(click("d", T0.plusSeconds(50), 5)));
      assertThat(next.commit()).isEqualTo(new Commit(2, 1));
    }
    assertThat(scanAll(spec)).containsExactly(click("d", T0.plusSeconds(50), 5));
  }

  @Test
  void isCommittedIsTrueAfterCommitOnly() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(1)));

    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "commit-42")) {
      replacement.write(List.of(click("a", T0, 1)));
      assertThat(store().isCommitted(spec.name(), "commit-42")).isFalse();
      replacement.commit();
      assertThat(store().isCommitted(spec.name(), "commit-42")).isTrue();
    }

    // Closing after the commit must not undo it.
    assertThat(store().isCommitted(spec.name(), "commit-42")).isTrue();
    assertThat(scanAll(spec)).containsExactly(click("a", T0, 1));
    assertThat(store().isCommitted(spec.name(), "commit-43")).isFalse();
  }

  @Test
  void stagedRowsAreInvisibleBeforeCommit() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(1)));
    Row old = click("a", T0.plusSeconds(1), 1);
    store().append(spec.name(), List.of(old));

    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "staged")) {
      replacement.write(List.of(click("a", T0.plusSeconds(2), 2), click("b", T0.plusSeconds(3), 3)));

      assertThat(scanAll(spec)).containsExactly(old);
      assertThat(scan(spec, range)).containsExactly(old);
      assertThat(store().latest(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("b"))))
          .containsOnly(Map.entry(EntityKey.of("a"), old));

      replacement.commit();
    }
    assertThat(scanAll(spec)).containsExactlyInAnyOrder(click("a", T0.plusSeconds(2), 2), click("b", T0.plusSeconds(3), 3));
  }

  @Test
  void replacementAcceptsWritesFromSeveralThreads() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(2)));
    store().append(spec.name(), List.of(click("old", T0, 0)));
    int threads = 4;
    // Many small batches: a staging buffer that is not thread-safe loses writes that overlap,
    // and overlaps grow with the number of calls, not with their size.
    int batches = 250;
    int batchSize = 2;

    Commit commit;
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "parallel-writes")) {
      ContractThreads.runConcurrently(threads, t -> {
        for (int b = 0; b < batches; b++) {
          List<Row> batch = new ArrayList<>();
          for (int i = 0; i < batchSize; i++) {
            long n = ((long) t * batches + b) * batchSize + i;
            batch.add(click("k" + (n % 50), T0.plusSeconds(n), n));
          }
          replacement.write(batch);
        }
      });
      commit = replacement.commit();
    }

    long expected = (long) threads * batches * batchSize;
    assertThat(commit).isEqualTo(new Commit(1, expected));
    List<Row> rows = scanAll(spec);
    assertThat(rows).hasSize((int) expected);
    assertThat(rows.stream().map(r -> r.getLong("count")).collect(Collectors.toSet())).hasSize((int) expected);
  }

  // ---------------------------------------------------------------- snapshots

  @Test
  void scanOpenedBeforeACommitReturnsTheOldRows() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(3)));
    // More rows than a JDBC fetch or a page buffer typically holds, so a store that streams from
    // live data rather than from a snapshot is caught.
    List<Row> old = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      old.add(click("k" + (i % 97), T0.plusSeconds(60L * i), i));
    }
    store().append(spec.name(), old);
    List<Row> fresh = List.of(click("k1", T0.plusSeconds(5), -1), click("fresh", T0.plusSeconds(7), -2));

    List<Row> seen = new ArrayList<>();
    ExecutorService committer = Executors.newSingleThreadExecutor();
    try (Stream<Row> stream = store().scan(spec.name(), range)) {
      Iterator<Row> it = stream.iterator();
      for (int i = 0; i < 10 && it.hasNext(); i++) {
        seen.add(it.next());
      }
      // Another thread, because the commit must not wait for open scans: a long training read
      // would otherwise stall every backfill.
      Future<Commit> commit = committer.submit(() -> {
        try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "during-scan")) {
          replacement.write(fresh);
          return replacement.commit();
        }
      });
      assertThat(ContractThreads.await(commit, "a commit while a scan is open")).isEqualTo(new Commit(old.size(), fresh.size()));
      assertThat(scan(spec, range)).as("a scan opened after the commit").containsExactlyInAnyOrderElementsOf(fresh);
      it.forEachRemaining(seen::add);
    } finally {
      committer.shutdownNow();
    }

    assertThat(seen).as("a scan opened before the commit").containsExactlyInAnyOrderElementsOf(old);
  }

  @Test
  void scanOpenedAfterACommitSeesTheNewRows() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(1)));
    store().append(spec.name(), List.of(click("a", T0, 1), click("b", T0.plusSeconds(1), 2)));
    try (Stream<Row> before = store().scan(spec.name(), range)) {
      assertThat(before).hasSize(2);
    }

    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "c")) {
      replacement.write(List.of(click("c", T0.plusSeconds(2), 3)));
      replacement.commit();
    }

    assertThat(scan(spec, range)).containsExactly(click("c", T0.plusSeconds(2), 3));
    store().append(spec.name(), List.of(click("d", T0.plusSeconds(3), 4)));
    assertThat(scan(spec, range)).containsExactlyInAnyOrder(click("c", T0.plusSeconds(2), 3), click("d", T0.plusSeconds(3), 4));
  }

  // ---------------------------------------------------------------- latest

  @Test
  void latestPicksTheGreatestEventTimeAcrossPartitions() {
    TableSpec spec = clicks();
    store().createTable(spec);
    Row a0 = click("a", T0, 1);
    Row a60 = click("a", T0.plus(Duration.ofDays(60)), 2);
    Row a30 = click("a", T0.plus(Duration.ofDays(30)), 3);
    Row bOld = click("b", T0.minus(Duration.ofDays(60)), 4);
    Row bNew = click("b", T0.plus(Duration.ofDays(1)).minusNanos(1_000), 5);
    // The newest row first and in its own append, so insertion order cannot decide.
    store().append(spec.name(), List.of(a60, bNew));
    store().append(spec.name(), List.of(a0, bOld));
    store().append(spec.name(), List.of(a30));

    assertThat(store().latest(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("b"))))
        .containsOnly(Map.entry(EntityKey.of("a"), a60), Map.entry(EntityKey.of("b"), bNew));
  }

  @Test
  void latestBreaksEventTimeTiesByTheColumnsInSchemaOrder() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Instant t = T0.plus(Duration.ofDays(2));
    Schema s = spec.schema();
    // Key 1: the first feature decides; null is lowest.
    Row k1Null = Row.of(s, "x", 1L, t, null, 9L, 9.0, true, t);
    Row k1Low = Row.of(s, "x", 1L, t, "a", 100L, null, null, null);
    Row k1High = Row.of(s, "x", 1L, t, "b", 0L, null, null, null);
    // Key 2: equal strings, so the LONG column decides, then nothing later matters.
    Row k2Low = Row.of(s, "x", 2L, t, "s", -5L, 1e9, true, t);
    Row k2High = Row.of(s, "x", 2L, t, "s", 3L, -1e9, false, T0);
    // Key 3: equal up to the DOUBLE, then BOOLEAN (false < true), then TIMESTAMP.
    Row k3Double = Row.of(s, "x", 3L, t, "s", 1L, 2.5, false, T0);
    Row k3False = Row.of(s, "x", 3L, t, "s", 1L, 2.5, false, t);
    Row k3True = Row.of(s, "x", 3L, t, "s", 1L, 2.5, true, T0);
    // Key 4: an older row with the greatest values still loses to a newer one.
    Row k4Old = Row.of(s, "x", 4L, t.minusNanos(1_000), "zzz", Long.MAX_VALUE, 1e300, true, t);
    Row k4New = Row.of(s, "x", 4L, t, null, null, null, null, null);
    // Winners neither first nor last within an append, and losers in both appends, so neither
    // insertion order nor "first wins" or "last wins" can pass for the order.
    store().append(spec.name(), List.of(k1Null, k1High, k2Low, k3Double, k3True, k3False, k4Old));
    store().append(spec.name(), List.of(k1Low, k2High, k4New));

    Map<EntityKey, Row> latest = store().latest(spec.name(),
        List.of(EntityKey.of("x", 1L), EntityKey.of("x", 2L), EntityKey.of("x", 3L), EntityKey.of("x", 4L)));

    assertThat(latest).containsOnly(Map.entry(EntityKey.of("x", 1L), k1High), Map.entry(EntityKey.of("x", 2L), k2High),
        Map.entry(EntityKey.of("x", 3L), k3True), Map.entry(EntityKey.of("x", 4L), k4New));
    // The kit's expectations must agree with the documented order itself.
    Comparator<Row> order = spec.latestOrder();
    assertThat(order.compare(k1High, k1Low)).isPositive();
    assertThat(order.compare(k1Low, k1Null)).isPositive();
    assertThat(order.compare(k3True, k3False)).isPositive();
    assertThat(order.compare(k3False, k3Double)).isPositive();
  }

  @Test
  void latestOmitsKeysWithoutRows() {
    TableSpec spec = clicks();
    store().createTable(spec);
    store().append(spec.name(), List.of(click("a", T0, 1)));

    assertThat(store().latest(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("nobody"))))
        .containsOnly(Map.entry(EntityKey.of("a"), click("a", T0, 1)));
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("nobody")))).isEmpty();
    assertThat(store().latest(spec.name(), List.of())).isEmpty();
  }

  @Test
  void latestFollowsReplacements() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0.plus(Duration.ofDays(50)), T0.plus(Duration.ofDays(70)));
    Row aOld = click("a", T0, 1);
    Row aNewest = click("a", T0.plus(Duration.ofDays(60)), 2);
    Row bOnlyInRange = click("b", T0.plus(Duration.ofDays(55)), 3);
    Row cAfterRange = click("c", T0.plus(Duration.ofDays(80)), 4);
    Row cInRange = click("c", T0.plus(Duration.ofDays(51)), 5);
    store().append(spec.name(), List.of(aOld, aNewest, bOnlyInRange, cAfterRange, cInRange));
    // A correction with an older event time must still become a's latest row: the one it
    // replaces is gone.
    Row aCorrected = click("a", T0.plus(Duration.ofDays(50)), 20);
    Row cCorrected = click("c", T0.plus(Duration.ofDays(69)), 50);
    Row dNew = click("d", T0.plus(Duration.ofDays(65)), 6);

    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(range), "fix")) {
      replacement.write(List.of(aCorrected, cCorrected, dNew));
      replacement.commit();
    }

    assertThat(store().latest(spec.name(), List.of(EntityKey.of("a"), EntityKey.of("b"), EntityKey.of("c"), EntityKey.of("d"))))
        .containsOnly(Map.entry(EntityKey.of("a"), aCorrected), Map.entry(EntityKey.of("c"), cAfterRange),
            Map.entry(EntityKey.of("d"), dNew));
  }

  @Test
  void keysListsEachKeyWithRowsInTheRangeOnceAndFollowsReplacements() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange firstWeek = TimeRange.of(T0, T0.plus(Duration.ofDays(7)));
    store().append(spec.name(), List.of(click("a", T0, 1), click("a", T0.plusSeconds(60), 2), click("a", T0, 1),
        click("b", T0.plus(Duration.ofDays(3)), 3), click("c", T0.plus(Duration.ofDays(7)), 4),
        click("d", T0.minusNanos(1000), 5), click("e", T0.plus(Duration.ofDays(400)), 6)));

    assertThat(keys(spec, firstWeek)).as("half-open: c at the stop and d before the start are out")
        .containsExactlyInAnyOrder(EntityKey.of("a"), EntityKey.of("b"));
    assertThat(keys(spec, TimeRange.all())).containsExactlyInAnyOrder(EntityKey.of("a"), EntityKey.of("b"),
        EntityKey.of("c"), EntityKey.of("d"), EntityKey.of("e"));

    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(firstWeek), "keys")) {
      replacement.write(List.of(click("f", T0.plus(Duration.ofDays(1)), 7)));
      replacement.commit();
    }
    assertThat(keys(spec, firstWeek)).containsExactly(EntityKey.of("f"));
    assertThat(keys(spec, TimeRange.all())).as("a and b lost their only rows")
        .containsExactlyInAnyOrder(EntityKey.of("c"), EntityKey.of("d"), EntityKey.of("e"), EntityKey.of("f"));
    assertThatThrownBy(() -> keys(clicks("missing_table"), TimeRange.all()))
        .isInstanceOf(StoreException.class).hasMessageContaining("missing_table");
  }

  @Test
  void keysInOrderListTheKeysOnceInOneOrderAndResumeAfterAnyKey() {
    TableSpec spec = KeyOrderData.table("ordered_keys");
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0, T0.plus(Duration.ofDays(7)));
    store().append(spec.name(), KeyOrderData.rows(spec, T0, T0.minus(Duration.ofDays(1))));

    List<EntityKey> all = orderedKeys(spec, range, Optional.empty());
    assertThat(all).containsExactlyInAnyOrderElementsOf(KeyOrderData.keysIn());
    assertThat(orderedKeys(spec, range, Optional.empty())).as("the same order on every call").isEqualTo(all);
    for (int i = 0; i < all.size(); i++) {
      assertThat(orderedKeys(spec, range, Optional.of(all.get(i)))).as("after %s", all.get(i))
          .isEqualTo(all.subList(i + 1, all.size()));
    }
    assertThat(all).endsWith(orderedKeys(spec, range, Optional.of(KeyOrderData.ABSENT)).toArray(EntityKey[]::new));
    List<EntityKey> everything = orderedKeys(spec, TimeRange.all(), Optional.empty());
    assertThat(everything).hasSize(all.size() + 1).containsAll(all).contains(KeyOrderData.OUTSIDE);
    assertThat(orderedKeys(spec, TimeRange.all(), Optional.of(everything.get(1))))
        .isEqualTo(everything.subList(2, everything.size()));
  }

  private List<EntityKey> orderedKeys(TableSpec spec, TimeRange range, Optional<EntityKey> after) {
    try (Stream<EntityKey> keys = store().keysInOrder(spec.name(), range, after)) {
      return keys.toList();
    }
  }

  private List<EntityKey> keys(TableSpec spec, TimeRange range) {
    try (Stream<EntityKey> keys = store().keys(spec.name(), range)) {
      return keys.toList();
    }
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void disjointReplacementsOpenAtOnceBothTakeEffect() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange first = TimeRange.of(T0, T0.plus(Duration.ofDays(10)));
    TimeRange second = TimeRange.of(T0.plus(Duration.ofDays(10)), T0.plus(Duration.ofDays(20)));
    List<Row> old = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      old.add(click("k" + (i % 10), T0.plus(Duration.ofHours(i)), i));
    }
    Row outside = click("outside", T0.plus(Duration.ofDays(25)), -1);
    old.add(outside);
    store().append(spec.name(), old);
    List<TimeRange> ranges = List.of(first, second);
    List<OfflineReplacement> replacements = List.of(
        store().beginReplace(spec.name(), Optional.of(first), "first"),
        store().beginReplace(spec.name(), Optional.of(second), "second"));
    List<List<Row>> fresh = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        rows.add(click("r" + r + "k" + (i % 7), ranges.get(r).start().plus(Duration.ofMinutes(41L * i)), 1000L * (r + 1) + i));
      }
      fresh.add(rows);
    }

    List<Commit> commits = new ArrayList<>(List.of(new Commit(0, 0), new Commit(0, 0)));
    try {
      ContractThreads.runConcurrently(2, r -> {
        OfflineReplacement replacement = replacements.get(r);
        List<Row> rows = fresh.get(r);
        for (int i = 0; i < rows.size(); i += 50) {
          replacement.write(rows.subList(i, i + 50));
        }
        Commit commit = replacement.commit();
        synchronized (commits) {
          commits.set(r, commit);
        }
      });
    } finally {
      replacements.forEach(OfflineReplacement::close);
    }

    List<Row> expected = new ArrayList<>();
    expected.add(outside);
    fresh.forEach(expected::addAll);
    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(expected);
    for (int r = 0; r < 2; r++) {
      TimeRange range = ranges.get(r);
      long deleted = old.stream().filter(row -> range.contains(spec.eventTimeOf(row))).count();
      assertThat(commits.get(r)).isEqualTo(new Commit(deleted, fresh.get(r).size()));
    }
    assertThat(store().isCommitted(spec.name(), "first")).isTrue();
    assertThat(store().isCommitted(spec.name(), "second")).isTrue();
  }

  @Test
  void concurrentAppendsLoseNoRow() throws Exception {
    TableSpec spec = clicks();
    store().createTable(spec);
    int threads = 4;
    // Many small appends: lost updates happen between reading and publishing a table's state,
    // so the number of appends, not their size, is what exposes them.
    int appends = 250;
    int batchSize = 4;

    ContractThreads.runConcurrently(threads, t -> {
      for (int a = 0; a < appends; a++) {
        List<Row> batch = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
          long n = ((long) t * appends + a) * batchSize + i;
          // Many threads hitting the same keys and partitions is the contended case.
          batch.add(click("k" + (n % 13), T0.plus(Duration.ofMinutes(n % 4000)), n));
        }
        store().append(spec.name(), batch);
      }
    });

    List<Row> rows = scanAll(spec);
    int expected = threads * appends * batchSize;
    assertThat(rows).hasSize(expected);
    assertThat(rows.stream().map(r -> r.getLong("count")).collect(Collectors.toSet())).hasSize(expected);
  }

  // ---------------------------------------------------------------- supported range and resolution

  @Test
  void scanBoundsFinerThanAMicrosecondSelectExactlyTheRowsOfTheRange() {
    // Rows are kept to the microsecond; a read range may come from a user with nanoseconds. A
    // store that truncated a bound to its microsecond would return the row at T0 for a range
    // starting 500 ns after it (and miss it for a range ending 500 ns after it).
    TableSpec spec = clicks();
    store().createTable(spec);
    Row atT0 = click("u1", T0, 1);
    Row nextMicro = click("u2", T0.plusNanos(1_000), 2);
    Row before = click("u3", T0.minusNanos(1_000), 3);
    store().append(spec.name(), List.of(atT0, nextMicro, before));

    assertThat(scan(spec, TimeRange.of(T0.plusNanos(500), T0.plus(Duration.ofHours(1))))).containsExactly(nextMicro);
    assertThat(scan(spec, TimeRange.of(T0.minus(Duration.ofHours(1)), T0.plusNanos(500)))).containsExactlyInAnyOrder(before, atT0);
    assertThat(scan(spec, TimeRange.of(T0.minusNanos(500), T0.plusNanos(1)))).containsExactly(atT0);
    assertThat(store().contents(spec.name(), TimeRange.of(T0.plusNanos(500), T0.plus(Duration.ofHours(1)))))
        .isEqualTo(new RangeContents(1, 1));
  }

  @Test
  void theFirstAndLastSupportedInstantsRoundTripThroughAppendScanLatestAndReplacement() {
    TableSpec spec = allTypes();
    store().createTable(spec);
    Instant first = FIRST_SUPPORTED;
    Instant last = LAST_SUPPORTED;
    Row early = edgeRow(1, true);
    Row late = edgeRow(2, false);
    Row sentinel = Row.of(spec.schema(), "edge", 3L, Instant.parse("9999-12-31T00:00:00Z"), "sentinel", 3L, 3.0, null, null);
    store().append(spec.name(), List.of(early, late, sentinel));

    assertThat(scanAll(spec)).containsExactlyInAnyOrder(early, late, sentinel);
    assertThat(scan(spec, TimeRange.of(first, first.plusNanos(1_000)))).containsExactly(early);
    assertThat(scan(spec, TimeRange.of(last, BackfillTimes.SUPPORTED_STOP))).containsExactly(late);
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("edge", 1L), EntityKey.of("edge", 2L))))
        .containsOnly(Map.entry(EntityKey.of("edge", 1L), early), Map.entry(EntityKey.of("edge", 2L), late));
    assertThat(store().contents(spec.name(), TimeRange.all())).isEqualTo(new RangeContents(3, 3));

    Row replacedLate = Row.of(spec.schema(), "edge", 2L, last, "last, replaced", 20L, null, null, first);
    TimeRange lastDay = TimeRange.of(Instant.parse("9999-12-31T00:00:00Z"), BackfillTimes.SUPPORTED_STOP);
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(lastDay), "edge-last-day")) {
      replacement.write(List.of(replacedLate));
      assertThat(replacement.commit()).isEqualTo(new Commit(2, 1));
    }
    Row replacedEarly = Row.of(spec.schema(), "edge", 1L, first, "first, replaced", 10L, null, null, last);
    TimeRange firstDay = TimeRange.of(first, first.plus(Duration.ofDays(1)));
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(firstDay), "edge-first-day")) {
      replacement.write(List.of(replacedEarly));
      assertThat(replacement.commit()).isEqualTo(new Commit(1, 1));
    }
    assertThat(scanAll(spec)).containsExactlyInAnyOrder(replacedEarly, replacedLate);
    assertThat(store().latest(spec.name(), List.of(EntityKey.of("edge", 1L), EntityKey.of("edge", 2L), EntityKey.of("edge", 3L))))
        .containsOnly(Map.entry(EntityKey.of("edge", 1L), replacedEarly), Map.entry(EntityKey.of("edge", 2L), replacedLate));
  }

  @Test
  void contentsCountsTheRowsAndDistinctKeysOfTheHalfOpenRange() {
    TableSpec spec = clicks();
    store().createTable(spec);
    TimeRange range = TimeRange.of(T0.plus(Duration.ofHours(20)), T0.plus(Duration.ofDays(3)));
    List<Row> rows = new ArrayList<>();
    for (int h = 0; h < 100; h++) {
      rows.add(click("u" + (h % 7), T0.plus(Duration.ofHours(h)), h));
    }
    rows.add(click("u1", range.start(), 100));
    rows.add(click("u1", range.start(), 100));
    rows.add(click("u9", range.stop(), 101));
    store().append(spec.name(), rows);

    long inside = rows.stream().filter(r -> range.contains(r.getInstant("ts"))).count();
    long keys = rows.stream().filter(r -> range.contains(r.getInstant("ts"))).map(spec::keyOf).distinct().count();
    assertThat(store().contents(spec.name(), range)).isEqualTo(new RangeContents(inside, keys));
    assertThat(inside).isEqualTo(54);
    assertThat(keys).isEqualTo(7);
    assertThat(store().contents(spec.name(), TimeRange.all())).isEqualTo(new RangeContents(103, 8));
    assertThat(store().contents(spec.name(), TimeRange.of(T0.minus(Duration.ofDays(9)), T0))).isEqualTo(RangeContents.EMPTY);
    assertThatThrownBy(() -> store().contents("missing_table", TimeRange.all()))
        .isInstanceOf(StoreException.class).hasMessageContaining("missing_table");
  }

  @Test
  void aTableWhoseNameDiffersOnlyInCaseFromAnExistingOneIsRefused() {
    // Issue 17 point 4: the in-memory store accepted both, DuckDB failed with its catalog error.
    TableSpec spec = clicks();
    store().createTable(spec);
    store().append(spec.name(), List.of(click("u1", T0, 1)));

    assertThatThrownBy(() -> store().createTable(clicks("Clicks")))
        .isInstanceOf(InvalidFeatureSetException.class).hasMessageContaining("'Clicks'").hasMessageContaining("'clicks'");
    assertThat(store().table("Clicks")).isEmpty();
    assertThat(scanAll(spec)).containsExactly(click("u1", T0, 1));
  }

  @Test
  void doubleAndStringKeysThatAStoreCouldMergeStayDistinctKeys() {
    // Issue 17 points 1, 2, 6: NaN, infinities, the smallest doubles, "?" beside a replacement
    // character and a surrogate pair: each its own key everywhere a store handles keys.
    TableSpec spec = doubleKeyed();
    store().createTable(spec);
    List<Row> rows = doubleKeyedRows(T0, 0);
    store().append(spec.name(), rows);
    Set<EntityKey> keys = rows.stream().map(spec::keyOf).collect(Collectors.toSet());
    assertThat(keys).hasSameSizeAs(rows);

    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(rows);
    Map<EntityKey, Row> latest = store().latest(spec.name(), keys);
    assertThat(latest).hasSameSizeAs(rows);
    rows.forEach(row -> assertThat(latest.get(spec.keyOf(row))).as("latest of %s", spec.keyOf(row)).isEqualTo(row));
    assertThat(keys(spec, TimeRange.all())).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(store().contents(spec.name(), TimeRange.all())).isEqualTo(new RangeContents(rows.size(), rows.size()));

    List<Row> newer = doubleKeyedRows(T0.plusSeconds(60), 100).subList(0, 4);
    try (OfflineReplacement replacement = store().beginReplace(spec.name(), Optional.of(TimeRange.of(T0, T0.plusSeconds(3600))),
        "double-keys")) {
      replacement.write(newer);
      replacement.commit();
      assertThat(changedKeys(replacement)).isEqualTo(keys);
    }
    assertThat(scanAll(spec)).containsExactlyInAnyOrderElementsOf(newer);
    assertThat(store().latest(spec.name(), keys)).containsOnlyKeys(newer.stream().map(spec::keyOf).toList());
  }

  // ---------------------------------------------------------------- helpers

  private List<Row> scanAll(TableSpec spec) {
    return scan(spec, TimeRange.all());
  }

  private List<Row> scan(TableSpec spec, TimeRange range) {
    try (Stream<Row> rows = store().scan(spec.name(), range)) {
      return rows.toList();
    }
  }

  /** The changed keys as a set, after checking that none is listed twice. */
  private static Set<EntityKey> changedKeys(OfflineReplacement replacement) {
    List<EntityKey> keys;
    try (Stream<EntityKey> stream = replacement.changedKeys()) {
      keys = stream.toList();
    }
    Set<EntityKey> unique = new HashSet<>(keys);
    assertThat(keys).as("changedKeys() lists each key once").hasSize(unique.size());
    return unique;
  }
}
