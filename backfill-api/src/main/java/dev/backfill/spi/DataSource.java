package dev.backfill.spi;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a feature set's raw rows come from. Users implement it, often as an anonymous class;
 * anything added here later is a {@code default} method.
 *
 * <p>Implementations must be safe to call from several threads at once: the engine reads
 * different slices of one backfill in parallel.
 */
public interface DataSource {
  /** The schema of every row {@link #read} returns. Cheap and stable: called at planning. */
  Schema schema();

  /**
   * Every row whose event time is in the range; a superset is allowed (the engine drops what
   * falls outside). The stream should be lazy, so that rows flow in bounded memory; the engine
   * closes it, which must release files and connections.
   *
   * <p>When the job is cancelled, the engine interrupts the thread that reads and closes the
   * stream from another thread: a read blocked in either (a socket, a query, a lock) should then
   * end with an exception, not a silent end of rows. A read that ignores both is abandoned.
   */
  Stream<Row> read(TimeRange range);

  /**
   * An opaque version of the data this source reads, or empty when the source cannot tell (the
   * default). The engine takes it before a backfill's first read and again right before the
   * offline commit; when the two differ the job fails with a
   * {@link dev.backfill.api.SourceChangedException} and nothing is changed, so a job never
   * commits rows read from two versions of the data.
   *
   * <p>An implementation must return a different value whenever what {@link #read} returns may
   * have changed since an earlier call (for files: one added, removed, resized, rewritten or
   * touched), and an equal value while nothing changed. It must be cheap (metadata, never a read
   * of the data), safe to call from any thread, and must not throw because the data changed or
   * vanished (say so in the value instead). The value appears in the job's error message: keep
   * it short and readable. A source that wraps another returns the wrapped one's fingerprint.
   */
  default Optional<String> fingerprint() {
    return Optional.empty();
  }

  /**
   * The TIMESTAMP column of this source's rows by whose time {@link #read} selects, if there is
   * one. When present, the engine gives each slice's transform only the rows whose time is in
   * that slice's input window (a superset returned by {@code read} never reaches the transform),
   * so it can tell for certain when a transform breaks the point-in-time rule (see
   * {@link Slice.Placement#BREACH}) and fail the job instead of losing the rows. When empty (the
   * default), the engine cannot tell a transform that moves event times from a source that
   * returns a superset: it drops such rows and counts them in {@code rowsDroppedAsContext}.
   * Checked at planning: the column must be a TIMESTAMP column of {@link #schema()}.
   */
  default Optional<String> eventTimeColumn() {
    return Optional.empty();
  }

  /**
   * The plugin type and options this source was created from, for a {@link Runner} that reads
   * such sources with its own reader; empty (the default) for a source written in Java, which only
   * the in-process engine can read. An implementation that returns one must read exactly what a
   * source made again from it would read.
   */
  default Optional<PluginDefinition> definition() {
    return Optional.empty();
  }

  /**
   * The rows whose event time is null: no range holds them, so no {@link #read} returns them and
   * no backfill writes them. The engine reads this once per backfill and counts the rows
   * ({@link dev.backfill.api.BackfillResult#rowsWithoutEventTime()}) so that they are not lost
   * silently; it never transforms or writes them. The default returns none, which is right for a
   * source whose rows always have a time; one whose data can lack it (a file, a query) should
   * return them. Lazy and closed by the engine as {@link #read}; a cancel closes it.
   */
  default Stream<Row> readWithoutEventTime() {
    return Stream.empty();
  }
}
