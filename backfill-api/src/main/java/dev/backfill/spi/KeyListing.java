package dev.backfill.spi;

import dev.backfill.api.EntityKey;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The default of the stores' ordered key listings: all keys in memory, sorted, after a key. */
final class KeyListing {
  private KeyListing() {}

  static Stream<EntityKey> sortedAfter(Stream<EntityKey> keys, Optional<EntityKey> after) {
    Comparator<EntityKey> order = TableSpec.keyOrder();
    List<EntityKey> sorted;
    try (keys) {
      sorted = keys.filter(key -> after.isEmpty() || order.compare(key, after.get()) > 0).distinct().sorted(order).toList();
    }
    return sorted.stream();
  }
}
