package dev.backfill.spark;

import dev.backfill.iceberg.IcebergScan;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.iceberg.FileScanTask;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Reads, on an executor, the file scan tasks of an {@code iceberg} source that the driver planned
 * ({@link IcebergScan}): each with iceberg-data's generic readers, as Spark rows of the source's
 * columns (timestamps as instants). Not Spark's Iceberg runtime: it shades its own Parquet, which
 * clashes with the offline store's writer on one class path.
 */
final class IcebergTasks implements FlatMapFunction<Iterator<FileScanTask>, Row> {
  private static final long serialVersionUID = 1L;
  private final IcebergScan scan;

  IcebergTasks(IcebergScan scan) {
    this.scan = scan;
  }

  @Override
  public Iterator<Row> call(Iterator<FileScanTask> tasks) {
    Stream<Row> rows = StreamSupport.stream(Spliterators.spliteratorUnknownSize(tasks, Spliterator.ORDERED), false)
        .flatMap(scan::read)
        .map(IcebergTasks::sparkRow);
    // A task that stops early (a limit, a failure) still closes the open file.
    TaskContext context = TaskContext.get();
    if (context != null) {
      context.addTaskCompletionListener((TaskCompletionListener) done -> rows.close());
    }
    return rows.iterator();
  }

  private static Row sparkRow(dev.backfill.api.Row row) {
    Object[] values = new Object[row.schema().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return RowFactory.create(values);
  }
}
