package dev.backfill.spi;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
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
}
