package dev.backfill.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The key of an entity: the values of a feature set's key columns, in order. Parts are
 * non-null and normalised like row values ({@code Integer} to {@code Long}, {@code Float} to
 * {@code Double}), so {@code EntityKey.of(7)} equals the key of a row whose LONG key is 7.
 */
public record EntityKey(List<Object> parts) {
  public EntityKey {
    Objects.requireNonNull(parts, "parts");
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("an entity key has at least one part");
    }
    List<Object> normalised = new ArrayList<>(parts.size());
    for (Object part : parts) {
      if (part == null) {
        throw new IllegalArgumentException("entity key parts must not be null: " + parts);
      }
      normalised.add(normalise(part));
    }
    parts = List.copyOf(normalised);
  }

  public static EntityKey of(Object... parts) {
    return new EntityKey(java.util.Arrays.asList(parts));
  }

  private static Object normalise(Object part) {
    if (part instanceof Integer || part instanceof Short || part instanceof Byte) {
      return ((Number) part).longValue();
    }
    if (part instanceof Float f) {
      return f.doubleValue();
    }
    return part;
  }

  @Override
  public String toString() {
    return parts.size() == 1 ? String.valueOf(parts.get(0)) : parts.toString();
  }
}
