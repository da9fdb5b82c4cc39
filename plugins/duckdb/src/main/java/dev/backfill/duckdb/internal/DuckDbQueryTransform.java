package dev.backfill.duckdb.internal;

/**
 * A transform that is one DuckDB query over the relation {@code source}, so that the DuckDB
 * offline store can run it inside a replacement (the fast path).
 *
 * <p>Implementations must guarantee that running {@link #query()} with {@code source} bound to
 * the input rows gives exactly what {@link dev.backfill.spi.Transform#apply} returns for them.
 */
public interface DuckDbQueryTransform {
  /** The SELECT statement; it reads the relation {@code source}. */
  String query();
}
