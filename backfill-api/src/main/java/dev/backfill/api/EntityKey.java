package dev.backfill.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The key of an entity: the values of a feature set's key columns, in order. Parts are
 * non-null and normalised like row values ({@code Integer} to {@code Long}, {@code Float} to
 * {@code Double}), so {@code EntityKey.of(7)} equals the key of a row whose LONG key is 7.
 *
 * <p><b>Doubles in keys.</b> A key is an identity, and the stores disagree on what makes two
 * doubles the same one: SQL stores (DuckDB, Iceberg, Spark) treat {@code -0.0} and {@code 0.0}
 * as one value, Java's {@code Double.equals} and byte-wise stores (RocksDB, Redis) as two. So
 * the one rule that every store can keep is that they are one key: a {@code -0.0} part becomes
 * {@code 0.0}, and every NaN becomes {@link Double#NaN} (one key, as {@code Double.equals} and
 * the SQL stores have it). The engine applies the same rule to the key columns of every row it
 * writes ({@code ingest} and backfills, on both paths), so a store never sees {@code -0.0} in a
 * key. Feature values keep their sign and bits exactly.
 */
public record EntityKey(List<Object> parts) {
  public EntityKey {
    Objects.requireNonNull(parts, "parts");
    if (parts.isEmpty()) {
      throw new InvalidValueException("an entity key has at least one part; give one value per key column");
    }
    List<Object> normalised = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      Object part = parts.get(i);
      if (part == null) {
        throw new InvalidValueException("entity key part " + i + " is null in " + parts
            + "; key values are never null");
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
      return normaliseDouble(f.doubleValue());
    }
    if (part instanceof Double d) {
      return normaliseDouble(d);
    }
    return part;
  }

  /**
   * The double as a key value: {@code 0.0} for {@code -0.0}, {@link Double#NaN} for every NaN,
   * else the value itself (the same instance when it is already normal).
   */
  public static Double normaliseDouble(Double value) {
    double d = value;
    if (d == 0.0) {
      // -0.0 == 0.0 is true in Java too; only the bits tell them apart.
      return Double.doubleToRawLongBits(d) == 0L ? value : Double.valueOf(0.0);
    }
    if (Double.isNaN(d)) {
      return Double.doubleToRawLongBits(d) == Double.doubleToRawLongBits(Double.NaN) ? value : Double.valueOf(Double.NaN);
    }
    return value;
  }

  @Override
  public String toString() {
    return parts.size() == 1 ? String.valueOf(parts.get(0)) : parts.toString();
  }
}
