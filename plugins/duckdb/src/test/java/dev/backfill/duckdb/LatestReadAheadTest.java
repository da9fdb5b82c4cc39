package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.TableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The latest rows of the keys a committed replacement lists are read with the keys, and answer
 * the lookups of those keys while the table is unchanged; once it changes, lookups read it.
 */
class LatestReadAheadTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Schema SCHEMA = Schema.of(new Field("user", FieldType.LONG), new Field("ts", FieldType.TIMESTAMP),
      new Field("n", FieldType.LONG));
  private static final TableSpec TABLE = new TableSpec("t", SCHEMA, List.of("user"), "ts");

  private static Row row(long user, int minute, long n) {
    return Row.of(SCHEMA, user, T0.plus(Duration.ofMinutes(minute)), n);
  }

  @Test
  void theListedKeysAreLookedUpFromTheReadAheadUntilTheTableChanges() {
    try (DuckDbOfflineStore store = DuckDbOfflineStore.inMemory()) {
      store.createTable(TABLE);
      try (OfflineReplacement r = store.beginReplace("t", Optional.empty(), "c1")) {
        // Key 0 has two rows that tie on the event time: both are read before key 0 is listed.
        r.write(IntStream.range(0, 3_000).mapToObj(i -> row(i, i % 60, i)).toList());
        r.write(List.of(row(0, 0, 99)));
        r.commit();
        long before = store.tableLookups();
        try (Stream<EntityKey> listed = r.changedKeys()) {
          Iterator<EntityKey> keys = listed.iterator();
          List<EntityKey> first = Stream.generate(keys::next).limit(2_048).toList();
          Map<EntityKey, Row> latest = store.latest("t", first);
          assertThat(store.tableLookups()).as("answered from the read-ahead").isEqualTo(before);
          assertThat(latest).hasSize(2_048).containsEntry(EntityKey.of(0L), row(0, 0, 99)).containsEntry(EntityKey.of(5L), row(5, 5, 5));

          List<EntityKey> second = Stream.generate(keys::next).limit(10).toList();
          // An append after the read-ahead's snapshot: its rows must win.
          EntityKey changed = second.get(3);
          store.append("t", List.of(row((Long) changed.parts().get(0), 600, -1)));
          Map<EntityKey, Row> fresh = store.latest("t", second);
          assertThat(store.tableLookups()).as("the table changed: read again").isEqualTo(before + 1);
          assertThat(fresh.get(changed)).isEqualTo(row((Long) changed.parts().get(0), 600, -1));
          assertThat(fresh).hasSize(10);
        }
      }
    }
  }

  @Test
  void aListingReadWithoutLookupsHoldsABoundedReadAhead() {
    try (DuckDbOfflineStore store = DuckDbOfflineStore.inMemory()) {
      store.createTable(TABLE);
      try (OfflineReplacement r = store.beginReplace("t", Optional.of(TimeRange.of(T0, T0.plus(Duration.ofDays(1)))), "c1")) {
        r.write(IntStream.range(0, 3 * LatestReadAhead.LIMIT).mapToObj(i -> row(i, 1, i)).toList());
        r.commit();
        try (Stream<EntityKey> listed = r.changedKeys()) {
          assertThat(listed.filter(key -> true).count()).as("every key read").isEqualTo(3 * LatestReadAhead.LIMIT);
        }
        long before = store.tableLookups();
        assertThat(store.latest("t", List.of(EntityKey.of(1L)))).containsEntry(EntityKey.of(1L), row(1, 1, 1));
        assertThat(store.tableLookups()).as("nothing left read ahead once the listing is closed").isEqualTo(before + 1);
      }
    }
  }
}
