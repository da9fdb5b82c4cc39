package dev.backfill.benchmarks;

import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A deterministic source of {@code rows} rows that are generated when read, never held in memory.
 *
 * <p>Row {@code i} (0 &lt;= i &lt; rows) has key {@code user_id = i % keys}, event time
 * {@code start + floor(i * span / rows)} at millisecond precision (so the rows are spread evenly
 * over {@code [start, start + span)} in index order), and the features {@code clicks = i % 97},
 * {@code spend = (i % 1000) * 0.25}, {@code score = (i % 7919) / 7919.0}. {@link #read} returns
 * exactly the rows whose event time is in the range, in index order, computing the first and
 * last index from the range: reading a slice costs the rows of the slice only. Thread-safe.
 */
public final class GeneratedSource implements DataSource {
  /** The feature set name used by the benchmarks. */
  public static final String FEATURE_SET = "user_activity";

  /**
   * The source's own schema: equal to the feature set's, but another instance, as the schema of
   * any user's source is. So the per-row schema checks of the engine ({@code RowConformer}) and
   * of the store ({@code checkRows}) compare field lists, as they would in production, instead
   * of stopping at an identity comparison.
   */
  public static final Schema SCHEMA = Schema.of(
      new Field("user_id", FieldType.LONG),
      new Field("ts", FieldType.TIMESTAMP),
      new Field("clicks", FieldType.LONG),
      new Field("spend", FieldType.DOUBLE),
      new Field("score", FieldType.DOUBLE));

  private final Schema schema;
  private final long rows;
  private final long keys;
  private final Instant start;
  private final long spanMillis;

  private GeneratedSource(Schema schema, long rows, long keys, Instant start, Duration span) {
    this.schema = Objects.requireNonNull(schema, "schema");
    if (rows < 1 || keys < 1) {
      throw new IllegalArgumentException("rows and keys must be positive, not " + rows + " and " + keys);
    }
    this.rows = rows;
    this.keys = keys;
    this.start = Objects.requireNonNull(start, "start");
    this.spanMillis = span.toMillis();
    if (spanMillis < 1) {
      throw new IllegalArgumentException("span must be at least one millisecond, not " + span);
    }
    // i * spanMillis must fit in a long for every i < rows.
    Math.multiplyExact(rows, spanMillis);
  }

  /**
   * The feature set the generated rows belong to: key {@code user_id} LONG, event time
   * {@code ts}, features {@code clicks} LONG, {@code spend} DOUBLE, {@code score} DOUBLE: the
   * columns of {@link #SCHEMA}. Its source is not set: {@link BackfillWorkload} sets it.
   */
  public static FeatureSet featureSet(Instant backfillStart) {
    return FeatureSet.builder(FEATURE_SET)
        .key("user_id", FieldType.LONG)
        .eventTime("ts")
        .feature("clicks", FieldType.LONG)
        .feature("spend", FieldType.DOUBLE)
        .feature("score", FieldType.DOUBLE)
        .backfillStart(backfillStart)
        .build();
  }

  /** A source of {@code rows} rows of {@link #SCHEMA} over {@code keys} keys in {@code [start, start + span)}. */
  public static GeneratedSource of(long rows, long keys, Instant start, Duration span) {
    return new GeneratedSource(SCHEMA, rows, keys, start, span);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  /** The half-open range that holds every row: {@code [start, start + span)}. */
  public TimeRange range() {
    return TimeRange.of(start, start.plusMillis(spanMillis));
  }

  public long rows() {
    return rows;
  }

  public long keys() {
    return keys;
  }

  /** The event time of row {@code i}. */
  public Instant eventTime(long i) {
    return start.plusMillis(i * spanMillis / rows);
  }

  /** Row {@code i}. */
  public Row row(long i) {
    return Row.of(schema, i % keys, eventTime(i), i % 97, (i % 1000) * 0.25, (i % 7919) / 7919.0);
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    long first = firstIndexAtOrAfter(range.start());
    long end = firstIndexAtOrAfter(range.stop());
    return LongStream.range(first, end).mapToObj(this::row);
  }

  /** The smallest index whose event time is at or after {@code t}; {@code rows} when none is. */
  private long firstIndexAtOrAfter(Instant t) {
    if (!t.isAfter(start)) {
      return 0;
    }
    Instant stop = start.plusMillis(spanMillis);
    if (t.isAfter(stop)) {
      return rows;
    }
    // eventTime(i) >= start + d ms  <=>  i * span / rows >= d  <=>  i >= ceil(d * rows / span);
    // t may have sub-millisecond digits, so estimate and then correct by comparing instants.
    // 0 <= d <= spanMillis, and rows * spanMillis fits in a long (checked at construction).
    long d = Duration.between(start, t).toMillis();
    long i = Math.min(rows, d * rows / spanMillis);
    while (i > 0 && !eventTime(i - 1).isBefore(t)) {
      i--;
    }
    while (i < rows && eventTime(i).isBefore(t)) {
      i++;
    }
    return i;
  }

  @Override
  public String toString() {
    return "generated(" + rows + " rows, " + keys + " keys, " + range() + ")";
  }
}
