/**
 * What the DuckDB plugin's store, sources and transform share: type mapping, value conversion,
 * SQL quoting, and the interfaces by which the offline store recognises a source and a
 * transform it can run itself (the fast path). Not for users: it may change in any release.
 */
package dev.backfill.duckdb.internal;
