package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of the store kits' ordered key listings: keys of three parts (text, long, double) that
 * differ in each part, with a NaN and negative values, one repeated, and one key outside the range.
 */
final class KeyOrderData {
  /** A key with no row: a listing resumed after it lists a suffix of the keys. */
  static final EntityKey ABSENT = EntityKey.of("b", 5L, 0.5);
  /** The key whose only row lies before the range. */
  static final EntityKey OUTSIDE = EntityKey.of("z", 0L, 0.0);

  private KeyOrderData() {}

  static TableSpec table(String name) {
    return FeatureSet.builder(name).key("user", FieldType.STRING).key("n", FieldType.LONG).key("score", FieldType.DOUBLE)
        .eventTime("ts").feature("v", FieldType.LONG).backfillStart(Instant.EPOCH).build().table();
  }

  /** The keys with rows in the range. */
  static List<EntityKey> keysIn() {
    return List.of(EntityKey.of("b", 2L, 1.5), EntityKey.of("a", 10L, -2.0), EntityKey.of("a", 2L, 1.5),
        EntityKey.of("a", 2L, Double.NaN), EntityKey.of("c", -1L, 1e-7), EntityKey.of("b", 10L, 1.5));
  }

  /** Two rows of each key in the range (at {@code inRange} and a minute later), and {@link #OUTSIDE} at {@code before}. */
  static List<Row> rows(TableSpec spec, Instant inRange, Instant before) {
    List<Row> rows = new ArrayList<>();
    long v = 0;
    for (EntityKey key : keysIn()) {
      for (Instant ts : List.of(inRange, inRange.plusSeconds(60))) {
        rows.add(Row.of(spec.schema(), key.parts().get(0), key.parts().get(1), key.parts().get(2), ts, v++));
      }
    }
    rows.add(Row.of(spec.schema(), OUTSIDE.parts().get(0), OUTSIDE.parts().get(1), OUTSIDE.parts().get(2), before, v));
    return rows;
  }
}
