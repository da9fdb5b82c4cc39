package dev.backfill.duckdb.internal;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy stream of the rows of a JDBC result set, read in the column order of a schema, so
 * that a large result flows through the JVM in bounded memory. Closing the stream runs the
 * given closer (result set, statement, connection), once.
 *
 * <p>Closing the stream before its last row stops the query first ({@link QueryInterrupts}),
 * so that a close from another thread (a cancelled backfill) ends a read blocked in the
 * database instead of waiting for it; the reading thread then gets a {@link StoreException}
 * saying the read was cancelled, never a silent end of the rows.
 */
public final class ResultSetRows {
  private ResultSetRows() {}

  /** Releases what a result set holds. */
  @FunctionalInterface
  public interface Closer {
    void close() throws SQLException;
  }

  /** Reads column {@code index} (1-based) of the current row as the Java value of its field. */
  @FunctionalInterface
  public interface ColumnReader {
    Object read(ResultSet rs, int index) throws SQLException;
  }

  /**
   * The rows of {@code rs}; its columns 1..n are the schema's fields in order, read by
   * {@link DuckDbTypes#read}.
   *
   * @param what names the read in error messages, e.g. "scan of offline table trips"
   */
  public static Stream<Row> stream(ResultSet rs, Schema schema, String what, Closer closer) {
    ColumnReader[] readers = schema.fields().stream()
        .map(f -> (ColumnReader) (r, i) -> DuckDbTypes.read(r, i, f.type())).toArray(ColumnReader[]::new);
    return stream(rs, schema, readers, what, closer);
  }

  /** As {@link #stream(ResultSet, Schema, String, Closer)}, column {@code i + 1} read by {@code readers[i]}. */
  public static Stream<Row> stream(ResultSet rs, Schema schema, ColumnReader[] readers, String what, Closer closer) {
    AtomicBoolean exhausted = new AtomicBoolean();
    AtomicBoolean cancelled = new AtomicBoolean();
    Iterator<Row> rows = new Iterator<>() {
      private Boolean hasNext;

      @Override
      public boolean hasNext() {
        if (hasNext == null) {
          try {
            checkNotCancelled();
            hasNext = rs.next();
          } catch (SQLException e) {
            checkNotCancelled();
            throw new StoreException(what + " failed: " + firstLine(e), e);
          }
          if (!hasNext) {
            // An interrupted DuckDB fetch can end a result early without an error.
            checkNotCancelled();
            exhausted.set(true);
          }
        }
        return hasNext;
      }

      private void checkNotCancelled() {
        if (cancelled.get()) {
          throw new StoreException(what + " was cancelled: its stream was closed while it was read");
        }
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        hasNext = null;
        Object[] values = new Object[readers.length];
        try {
          for (int i = 0; i < readers.length; i++) {
            values[i] = readers[i].read(rs, i + 1);
          }
        } catch (SQLException e) {
          throw new StoreException(what + " failed: " + firstLine(e), e);
        }
        return Row.of(schema, values);
      }
    };
    Runnable onClose = new Runnable() {
      private boolean closed;

      @Override
      public synchronized void run() {
        if (closed) {
          return;
        }
        closed = true;
        if (!exhausted.get()) {
          cancelled.set(true);
          try {
            QueryInterrupts.interrupt(rs.getStatement());
          } catch (SQLException | RuntimeException e) {
            // the result set has no statement any more: nothing runs
          }
        }
        try {
          closer.close();
        } catch (SQLException e) {
          throw new StoreException("closing the " + what + " failed: " + firstLine(e), e);
        }
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(onClose);
  }

  /** Closes what a failed read opened; the read's own error is the one to report. */
  public static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      if (resource != null) {
        try {
          resource.close();
        } catch (Exception ignored) {
          // already failing
        }
      }
    }
  }

  /** The first line of a JDBC error: DuckDB appends the query and a caret on further lines. */
  public static String firstLine(SQLException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
