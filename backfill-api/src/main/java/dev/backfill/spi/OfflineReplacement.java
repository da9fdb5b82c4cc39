package dev.backfill.spi;

import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import java.util.List;
import java.util.Optional;
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
   * Optional fast path: stages, inside the store, the rows that {@code transform} makes of
   * {@code source} for the slices, so that they need not cross into the JVM one by one (for
   * example a DuckDB store running a Parquet source and a SQL transform as one query). The
   * engine offers it once, before writing anything; a store that takes it must behave exactly
   * as the engine would, slice by slice:
   * <ul>
   *   <li>for each slice, apply the transform to the source's rows of {@link Slice#input()}
   *       (the store may read the source once for all slices, as long as each slice's transform
   *       sees only its own input rows);</li>
   *   <li>check every output row against the table's schema (names and types, non-null key and
   *       event-time columns, timestamps inside the
   *       {@linkplain dev.backfill.api.BackfillTimes#SUPPORTED_RANGE supported range}) and fail
   *       with an {@link dev.backfill.api.InvalidRowException} naming the table (the feature set),
   *       column, value and reason, leaving the replacement uncommittable (the engine closes
   *       it);</li>
   *   <li>place every output row by {@link Slice#place}: stage the rows {@code IN_SLICE}, count
   *       those {@code OUT_OF_RANGE} and {@code CONTEXT}, and fail with
   *       {@link dev.backfill.api.InvalidRowException#pointInTime} on a {@code BREACH}.</li>
   * </ul>
   * It is not called concurrently with {@link #write}.
   *
   * @param slices the plan's slices, in order, contiguous, covering the replacement's range
   * @return the counts, or empty when this store cannot run this source and transform itself:
   *     then nothing was staged and the engine streams the rows through {@link #write}
   */
  default Optional<StagedRows> stageFrom(DataSource source, Transform transform, List<Slice> slices) {
    return Optional.empty();
  }

  /**
   * Gives the replacement the job's comment, for a store that keeps a history of its commits
   * (an Iceberg snapshot summary carries it beside the commit id, which is the job id). The
   * engine calls it at most once, before {@link #commit()}, and only when the job has a comment.
   * An implementation must not let the comment change what is committed. The default ignores it.
   */
  default void comment(String comment) {}

  /**
   * Tells the replacement the cluster template of its job, for a store whose own work (staging,
   * the commit, the reads of the reconciliation) runs on resources it can size, such as the
   * threads and memory of a DuckDB database. The engine calls it at most once, right after
   * {@link OfflineStore#beginReplace}, before anything is staged. An implementation that sizes
   * anything by it must size only what its own options leave to it, must never claim more than
   * the machine has, must give the resources back by the time {@link #close()} returns (also
   * when the job fails or is cancelled), and must not let the template change what is staged or
   * committed. The default ignores it.
   */
  default void clusterTemplate(ClusterTemplate template) {}

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
   * a failed reconciliation). A stream whose spliterator knows its exact size
   * ({@link java.util.Spliterator#SIZED}) is counted by that for the job's progress; any other is
   * counted by one more listing before it is read.
   *
   * @throws IllegalStateException before {@link #commit()}
   */
  Stream<EntityKey> changedKeys();

  /**
   * After {@link #commit()}: the keys of {@link #changedKeys()} and those of {@code others},
   * each once. A reset reconciles both the keys it changed and every online key, and most keys
   * are in both; listing each once halves the lookups of its reconciliation. The caller closes
   * the stream, which closes {@code others}; a store may read {@code others} when it makes the
   * stream (the DuckDB store unions them in the database) or as it is read. May be called more
   * than once.
   *
   * <p>As for {@link #changedKeys()}, a stream whose spliterator knows its exact size
   * ({@link java.util.Spliterator#SIZED}) gives the engine the total of its progress: otherwise
   * the engine counts the keys by a listing of their own first, which for a reset lists the
   * online store twice.
   *
   * <p>The default concatenates the two listings, so a key in both comes twice (and is
   * reconciled twice: harmless, but twice the work). A store should drop the repeats without
   * holding every key on the heap: the DuckDB store unions the two in the database.
   *
   * @throws IllegalStateException before {@link #commit()}
   */
  default Stream<EntityKey> changedKeysAnd(Stream<EntityKey> others) {
    return Stream.concat(changedKeys(), others);
  }

  /**
   * Asks the store to stop the work it does on the engine's behalf before the commit (a running
   * {@link #stageFrom}, the store's own queries while staging) as soon as it can: that work then
   * throws, and the replacement can only be {@linkplain #close() closed}. The engine calls it
   * from another thread when the job is cancelled, and never once {@link #commit()} has begun.
   * It must return promptly without waiting for the work to stop, and must be harmless when
   * nothing runs or after {@link #close()}. The default does nothing: right for a store whose
   * staging happens only inside {@link #write}, which the engine stops calling itself.
   */
  default void cancel() {}

  /** Discards the staged rows unless committed. Idempotent. */
  @Override
  void close();

  /**
   * What {@link #stageFrom} read from the source and staged or dropped.
   *
   * @param rowsRead the source rows the slices' transforms were given, summed over the slices (a
   *     row in two slices' input windows counts twice, as the engine counts it)
   */
  record StagedRows(long rowsRead, long rowsStaged, long rowsDroppedOutOfRange, long rowsDroppedAsContext) {
    public StagedRows {
      if (rowsRead < 0 || rowsStaged < 0 || rowsDroppedOutOfRange < 0 || rowsDroppedAsContext < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
    }

    /** Counts without rows dropped as context. */
    public StagedRows(long rowsRead, long rowsStaged, long rowsDroppedOutOfRange) {
      this(rowsRead, rowsStaged, rowsDroppedOutOfRange, 0);
    }
  }

  /** What a commit changed. */
  record Commit(long rowsDeleted, long rowsAdded) {
    public Commit {
      if (rowsDeleted < 0 || rowsAdded < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
    }
  }
}
