package dev.backfill.duckdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a row stream from another thread stops a DuckDB fetch that is blocked in the
 * database, and the reader learns that its read was cancelled. Before, DuckDB's
 * {@code Statement.cancel()} did nothing during a fetch and the close waited for the fetch to
 * end (here: hours); and an interrupted fetch could end the rows silently, as if complete.
 */
// A test that fails must fail, not hang the build.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResultSetRowsTest {
  private static final long FIRST_ROWS = 3_000_000;

  @Test
  void closingTheStreamFromAnotherThreadStopsAFetchBlockedInDuckDb() throws Exception {
    DuckDBConnection connection = DuckDbSession.connect();
    Statement statement = connection.createStatement();
    // The first rows come at once; the next one only after scanning a trillion numbers.
    ResultSet rs = statement.executeQuery("SELECT range AS x FROM range(1000000000000) WHERE range < " + FIRST_ROWS
        + " OR range > 999999999990");
    Stream<Row> rows = ResultSetRows.stream(rs, Schema.of(new Field("x", FieldType.LONG)), "test read", () -> {
      try (connection; statement; rs) {
        // closed in reverse order
      }
    });
    AtomicLong read = new AtomicLong();
    CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
      Iterator<Row> iterator = rows.iterator();
      while (iterator.hasNext()) {
        iterator.next();
        read.incrementAndGet();
      }
      return read.get();
    });
    // Blocked once it has read rows and then no more for half a second.
    long seen = -1;
    while (read.get() == 0 || read.get() != seen) {
      seen = read.get();
      assertThat(reader).as("the reader is still reading").isNotDone();
      Thread.sleep(500);
    }
    assertThat(read.get()).isLessThanOrEqualTo(FIRST_ROWS);

    CompletableFuture.runAsync(rows::close).get(20, TimeUnit.SECONDS);

    assertThat(reader).failsWithin(20, TimeUnit.SECONDS).withThrowableThat().havingRootCause()
        .isInstanceOf(StoreException.class).withMessageContaining("test read was cancelled");
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void aStreamReadToItsEndClosesWithoutInterruptingAnything() throws Exception {
    DuckDBConnection connection = DuckDbSession.connect();
    Statement statement = connection.createStatement();
    ResultSet rs = statement.executeQuery("SELECT range AS x FROM range(5000)");
    try (Stream<Row> rows = ResultSetRows.stream(rs, Schema.of(new Field("x", FieldType.LONG)), "test read", () -> {
      try (connection; statement; rs) {
        // closed in reverse order
      }
    })) {
      assertThat(rows.mapToLong(row -> row.getLong("x")).sum()).isEqualTo(4999L * 5000 / 2);
    }
    assertThat(connection.isClosed()).isTrue();
  }
}
