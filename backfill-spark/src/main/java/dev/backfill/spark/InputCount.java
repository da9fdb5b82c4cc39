package dev.backfill.spark;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/** Passes a slice's input rows on to its transform, counting them as the engine's rowsRead. */
final class InputCount implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private final LongAccumulator read;

  InputCount(LongAccumulator read) {
    this.read = read;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new Iterator<>() {
      private long counted;

      @Override
      public boolean hasNext() {
        boolean more = rows.hasNext();
        if (!more && counted > 0) {
          read.add(counted);
          counted = 0;
        }
        return more;
      }

      @Override
      public Row next() {
        Row row = rows.next();
        counted++;
        return row;
      }
    };
  }
}
