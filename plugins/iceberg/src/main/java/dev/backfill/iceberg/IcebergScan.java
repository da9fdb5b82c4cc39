package dev.backfill.iceberg;

import dev.backfill.api.Field;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.DeleteFilter;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * The planned read of one snapshot of a table by time range: the file scan tasks Iceberg planned
 * with the range pushed into the scan, and how to read one task into Backfill rows with
 * iceberg-data's generic readers. Serializable, so a distributed runner plans on its driver and
 * reads the tasks on its executors; in one process the {@code iceberg} source reads them in turn.
 */
public final class IcebergScan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Table table;
  private final Schema schema;
  private final String timeColumn;
  /** Null for the scan of the rows whose time is null (Optional is not serializable). */
  private final TimeRange range;
  private final List<FileScanTask> tasks;

  IcebergScan(Table table, Schema schema, String timeColumn, TimeRange range, List<FileScanTask> tasks) {
    this.table = table;
    this.schema = schema;
    this.timeColumn = timeColumn;
    this.range = range;
    this.tasks = List.copyOf(tasks);
  }

  /** The Backfill schema of the rows the tasks hold (the table's columns, in order). */
  public Schema schema() {
    return schema;
  }

  /** The tasks to read: together, every row of the range in the planned snapshot (and a few more). */
  public List<FileScanTask> tasks() {
    return tasks;
  }

  /**
   * The rows of one of {@link #tasks()} whose time is in the range exactly (or, for a scan of
   * rows without a time, whose time is null), lazily; the caller closes the stream, which closes
   * the file.
   */
  public Stream<Row> read(FileScanTask task) {
    if (task.file().format() != FileFormat.PARQUET) {
      throw new IllegalStateException("source (iceberg): table '" + table.name() + "' has data file "
          + task.file().location() + " in format " + task.file().format() + "; this source reads Parquet data files only");
    }
    org.apache.iceberg.Schema projection = table.schema();
    DeleteFilter<Record> deletes = new GenericDeleteFilter(table.io(), task, table.schema(), projection);
    org.apache.iceberg.Schema required = deletes.requiredSchema();
    CloseableIterable<Record> records = Parquet.read(table.io().newInputFile(task.file().location()))
        .project(required)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(required, fileSchema))
        .split(task.start(), task.length())
        .filter(task.residual())
        .build();
    records = deletes.filter(records);
    if (task.residual() != null && !task.residual().equals(Expressions.alwaysTrue())) {
      // The Parquet filter prunes row groups only; the residual selects the rows.
      InternalRecordWrapper wrapper = new InternalRecordWrapper(required.asStruct());
      Evaluator residual = new Evaluator(required.asStruct(), task.residual());
      records = CloseableIterable.filter(records, record -> residual.eval(wrapper.wrap(record)));
    }
    Stream<Row> rows = FileReads.stream(records, table.name()).map(this::toRow);
    return range == null ? rows : rows.filter(row -> range.contains(row.getInstant(timeColumn)));
  }

  private Row toRow(Record record) {
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < values.length; i++) {
      Field field = schema.fields().get(i);
      values[i] = value(record.getField(field.name()));
    }
    return Row.of(schema, values);
  }

  /** A generic reader's value as Backfill holds it: timestamps without a zone and dates are UTC. */
  private static Object value(Object value) {
    if (value instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (value instanceof LocalDateTime t) {
      return t.toInstant(ZoneOffset.UTC);
    }
    if (value instanceof LocalDate d) {
      return d.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (value instanceof CharSequence text && !(value instanceof String)) {
      return text.toString();
    }
    return value;
  }
}
