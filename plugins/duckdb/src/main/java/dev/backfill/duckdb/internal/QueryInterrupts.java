package dev.backfill.duckdb.internal;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a query from another thread: a cancelled job's source read, transform or staging query.
 *
 * <p>For DuckDB, {@link Statement#cancel()} only acts while {@code execute} runs: during the
 * fetch of a streamed result it does nothing, and {@link Statement#close()} then waits for the
 * fetch to end, however long that takes. DuckDB's own interrupt (a flag its query threads poll)
 * stops both, but the driver keeps it package-private ({@code DuckDBConnection.interrupt()},
 * behind a lock the fetch holds). So it is called here through the driver's native entry point,
 * found once by reflection; if a driver version lacks it, {@link Statement#cancel()} is the
 * fallback and a warning says so once. The native call only sets a flag, so it is safe on any
 * thread, but it must not race with the connection's close: callers serialise the two.
 *
 * <p>An interrupt that lands before a query begins is forgotten when it begins; callers that
 * cannot rule that out use a {@link Guard}, which repeats the interrupt until the query ends.
 */
public final class QueryInterrupts {
  private static final Logger log = LoggerFactory.getLogger(QueryInterrupts.class);
  private static final Optional<Native> NATIVE = Native.find();

  private QueryInterrupts() {}

  /**
   * Stops what runs on the statement's connection: DuckDB's interrupt for a DuckDB connection,
   * {@link Statement#cancel()} for any other driver. Never throws.
   */
  public static void interrupt(Statement statement) {
    try {
      Connection connection = statement.getConnection();
      if (connection instanceof DuckDBConnection duck && NATIVE.isPresent()) {
        NATIVE.get().interrupt(duck);
      } else {
        statement.cancel();
      }
    } catch (SQLException | RuntimeException e) {
      log.debug("interrupting a query failed (it may have ended already)", e);
    }
  }

  /** Interrupts whatever runs on a DuckDB connection; see the class comment for the caveats. */
  public static void interrupt(DuckDBConnection connection) {
    if (NATIVE.isEmpty()) {
      return;
    }
    try {
      NATIVE.get().interrupt(connection);
    } catch (SQLException | RuntimeException e) {
      log.debug("interrupting a DuckDB connection failed (it may be closed)", e);
    }
  }

  /**
   * The queries of one DuckDB connection that another thread may cancel: each runs through
   * {@link #run}; {@link #cancel()} interrupts the one running, again every few milliseconds
   * until it has ended (so that an interrupt landing just before DuckDB starts it is not lost),
   * and makes every later {@link #run} fail at once. {@link #detach()} must be called before the
   * connection is closed.
   */
  public static final class Guard {
    private static final long RETRY_MILLIS = 20;
    private final DuckDBConnection connection;
    private final String what;
    private int running;
    private boolean cancelled;
    private boolean closed;

    /** @param what names the work in the error of a cancelled query, e.g. "the sql transform" */
    public Guard(DuckDBConnection connection, String what) {
      this.connection = connection;
      this.what = what;
    }

    /** One query or statement on the connection. */
    @FunctionalInterface
    public interface Query<T> {
      T run() throws SQLException;
    }

    /**
     * Runs the query unless cancelled.
     *
     * @throws SQLException also when the guard was cancelled before or while it ran
     */
    public <T> T run(Query<T> query) throws SQLException {
      synchronized (this) {
        checkNotCancelled();
        running++;
      }
      try {
        return query.run();
      } catch (SQLException e) {
        synchronized (this) {
          checkNotCancelled();
        }
        throw e;
      } finally {
        synchronized (this) {
          running--;
        }
      }
    }

    private void checkNotCancelled() throws SQLException {
      if (cancelled) {
        throw new SQLException(what + " was cancelled");
      }
    }

    public synchronized boolean cancelled() {
      return cancelled;
    }

    /** Interrupts the running query and refuses new ones. Returns at once; idempotent. */
    public void cancel() {
      synchronized (this) {
        boolean first = !cancelled;
        cancelled = true;
        // Nothing of the guard's runs: a later run() fails at once, and an interrupt now would
        // only reach what the guard does not own (a streamed result being read).
        if (!first || closed || running == 0) {
          return;
        }
        interrupt(connection);
      }
      Thread repeater = new Thread(this::interruptUntilIdle, "duckdb-interrupt");
      repeater.setDaemon(true);
      repeater.start();
    }

    private void interruptUntilIdle() {
      try {
        while (true) {
          Thread.sleep(RETRY_MILLIS);
          synchronized (this) {
            if (closed || running == 0) {
              return;
            }
            interrupt(connection);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * No interrupt reaches the connection after this: call it before the connection is closed,
     * and before work on it that must not be interrupted (a commit).
     */
    public synchronized void detach() {
      closed = true;
    }
  }

  /** The driver's native interrupt, reached by reflection. */
  private record Native(Field connRef, Method interrupt) {
    static Optional<Native> find() {
      try {
        Field ref = DuckDBConnection.class.getDeclaredField("connRef");
        ref.setAccessible(true);
        Method method = Class.forName("org.duckdb.DuckDBNative", false, DuckDBConnection.class.getClassLoader())
            .getDeclaredMethod("duckdb_jdbc_interrupt", ByteBuffer.class);
        method.setAccessible(true);
        return Optional.of(new Native(ref, method));
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.warn("this DuckDB JDBC driver has no reachable interrupt ({}); a cancelled backfill waits for a streamed "
            + "DuckDB query to end by itself", e.toString());
        return Optional.empty();
      }
    }

    void interrupt(DuckDBConnection connection) throws SQLException {
      try {
        Object ref = connRef.get(connection);
        if (ref == null) {
          return;
        }
        interrupt.invoke(null, ref);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof SQLException sql) {
          throw sql;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }
}
