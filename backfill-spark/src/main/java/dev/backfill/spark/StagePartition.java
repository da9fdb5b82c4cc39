package dev.backfill.spark;

import dev.backfill.api.InvalidRowException;
import dev.backfill.api.Schema;
import dev.backfill.core.RowConformer;
import dev.backfill.iceberg.IcebergDataFiles;
import dev.backfill.spi.Slice;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * What one Spark task does with its part of the transform's output: each row checked by the
 * engine's own {@link RowConformer} (the same {@link InvalidRowException}s as in-process),
 * placed by its slice ({@link Slice#place}), and the rows of the range written as Iceberg data
 * files, whose descriptions go back to the driver. A failing task deletes the files it wrote.
 * The last column of each row is the index of the slice whose transform emitted it.
 */
final class StagePartition implements FlatMapFunction<Iterator<Row>, DataFile> {
  private static final long serialVersionUID = 1L;
  private final String featureSet;
  private final String eventTimeColumn;
  private final Schema produced;
  private final RowConformer conformer;
  private final List<Slice> slices;
  private final IcebergDataFiles.Writers writers;
  private final Counters counters;

  /** The job's counts, summed over the tasks that succeeded. */
  record Counters(LongAccumulator staged, LongAccumulator outOfRange, LongAccumulator context)
      implements java.io.Serializable {}

  StagePartition(String featureSet, String eventTimeColumn, Schema produced, RowConformer conformer, List<Slice> slices,
      IcebergDataFiles.Writers writers, Counters counters) {
    this.featureSet = featureSet;
    this.eventTimeColumn = eventTimeColumn;
    this.produced = produced;
    this.conformer = conformer;
    this.slices = List.copyOf(slices);
    this.writers = writers;
    this.counters = counters;
  }

  @Override
  public Iterator<DataFile> call(Iterator<Row> rows) {
    int width = produced.size();
    long staged = 0;
    long outOfRange = 0;
    long context = 0;
    Object[] values = new Object[width];
    try (IcebergDataFiles.Writer writer = writers.open()) {
      while (rows.hasNext()) {
        Row sparkRow = rows.next();
        for (int i = 0; i < width; i++) {
          values[i] = SparkTypes.value(sparkRow.get(i));
        }
        dev.backfill.api.Row row = conformer.conform(dev.backfill.api.Row.of(produced, values));
        Instant t = conformer.eventTime(row);
        Slice slice = slices.get(sparkRow.getInt(width));
        switch (slice.place(t)) {
          case IN_SLICE -> {
            writer.write(row);
            staged++;
          }
          case OUT_OF_RANGE -> outOfRange++;
          case CONTEXT -> context++;
          case BREACH -> throw InvalidRowException.pointInTime(featureSet, eventTimeColumn, t, slice.range(),
              slice.lookback());
        }
      }
      List<DataFile> files = writer.finish();
      counters.staged().add(staged);
      counters.outOfRange().add(outOfRange);
      counters.context().add(context);
      return files.iterator();
    }
  }
}
