package dev.backfill.spi;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import java.util.List;
import java.util.stream.Stream;

/**
 * A staged replacement of a range (or of everything) in one offline table, from
 * {@link OfflineStore#beginReplace}. Rows written here are invisible to every reader until
 * {@link #commit()}, which swaps them in atomically. {@link #close()} without a commit discards
 * them and leaves the table as it was.
 *
 * <p>{@link #write} must be safe to call from several threads at once.
 */
public interface OfflineReplacement extends AutoCloseable {
  /**
   * Stages rows. They have the table's schema, non-null keys and event times inside the range
   * (the engine checks all three; a store may reject a row that breaks them with a
   * {@link dev.backfill.api.StoreException}). Blocking here is how a slow store pushes back on
   * the engine. Rows must not be written concurrently with {@link #commit()}.
   *
   * @throws IllegalStateException after {@link #commit()} or {@link #close()}
   */
  void write(List<Row> rows);

  /**
   * Atomically deletes the rows of the range (or all rows) and adds the staged rows, recording
   * the commit id. After a successful commit every new scan sees the new state.
   *
   * @return the counts of the commit
   * @throws IllegalStateException when already committed or closed
   */
  Commit commit();

  /**
   * After {@link #commit()}: every key that had a row deleted or added by the commit, each once.
   * The stream is lazy; the caller closes it. May be called more than once (the engine retries
   * a failed reconciliation).
   *
   * @throws IllegalStateException before {@link #commit()}
   */
  Stream<EntityKey> changedKeys();

  /** Discards the staged rows unless committed. Idempotent. */
  @Override
  void close();

  /** What a commit changed. */
  record Commit(long rowsDeleted, long rowsAdded) {
    public Commit {
      if (rowsDeleted < 0 || rowsAdded < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
    }
  }
}
