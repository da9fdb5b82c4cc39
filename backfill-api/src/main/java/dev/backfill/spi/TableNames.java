package dev.backfill.spi;

import dev.backfill.api.FeatureSet;
import dev.backfill.api.InvalidFeatureSetException;
import java.util.Collection;

/**
 * The rule on table names that every store keeps: two tables whose names differ only in case
 * cannot both exist, because SQL stores (DuckDB, Iceberg, Spark) fold the case of identifiers
 * and would see one table. A store that could hold both (memory, RocksDB) refuses the second
 * anyway, so that swapping stores changes nothing.
 */
public final class TableNames {
  private TableNames() {}

  /**
   * Returns when no existing table's name differs from {@code name} only in case.
   *
   * @param store the store, as its error messages name it
   * @throws InvalidFeatureSetException naming both names
   */
  public static void requireNoCaseTwin(Object store, String name, Collection<String> existing) {
    for (String other : existing) {
      if (!other.equals(name) && FeatureSet.sameNameIgnoringCase(other, name)) {
        throw new InvalidFeatureSetException("table '" + name + "' differs only in case from the table '" + other
            + "' of the " + store + "; SQL stores fold the case of names, so the two would be one table: use '"
            + other + "' or a name that differs by more than case");
      }
    }
  }
}
