package dev.backfill.duckdb.internal;

/**
 * A transform that is one DuckDB query over the relation {@code source}, so that the DuckDB
 * offline store can run it inside a replacement (the fast path).
 *
 * <p>Implementations must guarantee that running {@link #query()} with {@code source} bound to
 * the input rows gives exactly what {@link dev.backfill.spi.Transform#apply} returns for them.
 * The store does not take the query on trust: it runs it only after checking it in the sandbox
 * ({@link DuckDbSession#connectSandbox()}), and never when {@link #allowsExternalAccess()}.
 */
public interface DuckDbQueryTransform {
  /** The SELECT statement; it reads the relation {@code source}. */
  String query();

  /**
   * Whether the query may read files and URLs and load extensions (a trusted setup's
   * explicit choice); such a query runs only where the transform itself runs it.
   */
  boolean allowsExternalAccess();
}
