package dev.backfill.iceberg;

import dev.backfill.api.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/** Reading the records of one data file, or of a closeable iterable, as a stream to close. */
final class FileReads {
  /**
   * Runs Iceberg's manifest work in the calling thread. Iceberg's own pool waits for its tasks by
   * polling every 10 ms, which cost a small commit more time than the work itself.
   */
  static final ExecutorService DIRECT = new AbstractExecutorService() {
    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }
  };

  private FileReads() {}

  /**
   * The records of a file, projected to {@code projection}; {@code filter} prunes row groups by
   * their statistics (a superset of the matching rows comes back: callers filter exactly).
   */
  static Stream<Record> read(Table table, DataFile file, Schema projection, Expression filter) {
    CloseableIterable<Record> records = Parquet.read(table.io().newInputFile(file.location()))
        .project(projection)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
        .filter(filter)
        .build();
    return stream(records, table.name());
  }

  static <T> Stream<T> stream(CloseableIterable<T> iterable, String table) {
    return StreamSupport.stream(iterable.spliterator(), false).onClose(() -> {
      try {
        iterable.close();
      } catch (IOException e) {
        throw new UncheckedIOException("offline store (iceberg): closing a read of table '" + table + "'", e);
      }
    });
  }

  static StoreException failure(String action, String table, RuntimeException e) {
    if (e instanceof StoreException store) {
      return store;
    }
    return new StoreException("offline store (iceberg): cannot " + action + " table '" + table + "': " + e.getMessage(), e);
  }
}
