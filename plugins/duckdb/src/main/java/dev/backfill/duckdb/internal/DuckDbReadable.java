package dev.backfill.duckdb.internal;

import dev.backfill.api.TimeRange;

/**
 * A data source that DuckDB can read by itself, so that the DuckDB offline store can run a
 * replacement as SQL without the rows crossing into the JVM.
 *
 * <p>Implementations must return a query whose result is exactly what
 * {@link dev.backfill.spi.DataSource#read} returns for the same range: the same column names,
 * types convertible by {@link DuckDbTypes}, the same rows (a superset outside the range is
 * allowed, as for {@code read}). The query must be runnable on any DuckDB connection of the
 * process: it may name files and DuckDB table functions, never JVM state.
 */
public interface DuckDbReadable {
  /** A self-contained SELECT of the rows whose event time is in the range. */
  String selectSql(TimeRange range);

  /**
   * Whether {@link #selectSql} of a range reads only about that range's part of the data (a
   * Parquet file skips the row groups whose statistics lie outside it), so that reading the
   * source once per slice costs about one read of the whole range. When false (the default: a
   * CSV file is parsed whole for any range) the store reads the source once for all slices.
   */
  default boolean prunesByRange() {
    return false;
  }

  /**
   * Whether one scan of {@link #selectSql} gives its rows in event-time order at the grain of
   * the source's blocks: each block's event times at or after the previous block's (a Parquet
   * file written in time order). Then the store inserts a range's rows in one scan and still
   * gets row groups that each cover a short time span, without sorting or a scan per slice.
   * Implementations must answer false when they cannot tell; a wrong true costs only the
   * clustering of the store's row groups, never a wrong row. The default is false.
   */
  default boolean inTimeOrder() {
    return false;
  }

  /**
   * Whether no row of the source holds a null in any of the columns, known from metadata alone
   * without reading a row (Parquet's null counts per row group). The fast path then need not scan
   * the rows to find a null key. Implementations must answer false when they cannot tell (a
   * column without statistics, a file without the column, a read error): a wrong true lets a
   * row with a null key into the store. The default is false.
   */
  default boolean provablyNoNulls(java.util.List<String> columns) {
    return false;
  }
}
