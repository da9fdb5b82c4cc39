package dev.backfill.rocksdb;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.List;

/** Tables and rows shared by this module's tests (and its child JVM). */
final class Fixtures {
  static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

  private Fixtures() {}

  /** Key {@code user STRING}, event time {@code ts}, {@code count LONG}, {@code label STRING}. */
  static TableSpec clicks() {
    Schema schema = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
        new Field("count", FieldType.LONG), new Field("label", FieldType.STRING));
    return new TableSpec("clicks", schema, List.of("user"), "ts");
  }

  static Row click(String user, Instant ts, long count) {
    return Row.of(clicks().schema(), user, ts, count, "label-" + count);
  }

  /** One key column of every key type, then one feature of every type. */
  static TableSpec everyKeyType() {
    Schema schema = Schema.of(new Field("s", FieldType.STRING), new Field("l", FieldType.LONG),
        new Field("d", FieldType.DOUBLE), new Field("b", FieldType.BOOLEAN), new Field("t", FieldType.TIMESTAMP),
        new Field("ts", FieldType.TIMESTAMP), new Field("fs", FieldType.STRING), new Field("fl", FieldType.LONG),
        new Field("fd", FieldType.DOUBLE), new Field("fb", FieldType.BOOLEAN), new Field("ft", FieldType.TIMESTAMP));
    return new TableSpec("every_key_type", schema, List.of("s", "l", "d", "b", "t"), "ts");
  }
}
