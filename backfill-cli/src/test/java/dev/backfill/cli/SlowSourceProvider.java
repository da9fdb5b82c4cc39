package dev.backfill.cli;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.DataSourceProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A test plugin, type {@code slow}: one row a minute for each of {@code keys} keys ({@code id},
 * {@code ts}, {@code value}), each row taking {@code micros-per-row} to produce, so that a
 * backfill runs long enough to be watched, interrupted or collided with. Registered in the test
 * class path's {@code META-INF/services}, as a third-party plugin jar would be.
 */
public final class SlowSourceProvider implements DataSourceProvider {
  static final Schema SCHEMA = Schema.of(new Field("id", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
      new Field("value", FieldType.LONG));

  @Override
  public String type() {
    return "slow";
  }

  @Override
  public DataSource create(Map<String, String> options) {
    Set<String> unknown = new java.util.HashSet<>(options.keySet());
    unknown.removeAll(Set.of("keys", "micros-per-row"));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + unknown + "; valid options: keys, micros-per-row");
    }
    int keys = Integer.parseInt(options.getOrDefault("keys", "3"));
    long nanosPerRow = Long.parseLong(options.getOrDefault("micros-per-row", "200")) * 1000;
    return new DataSource() {
      @Override
      public Schema schema() {
        return SCHEMA;
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        Instant first = range.start().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        if (first.isBefore(range.start())) {
          first = first.plus(Duration.ofMinutes(1));
        }
        long minutes = Duration.between(first, range.stop()).toMinutes() + 1;
        Instant from = first;
        return LongStream.range(0, minutes * keys)
            .mapToObj(i -> {
              LockSupport.parkNanos(nanosPerRow);
              return Row.of(SCHEMA, "k" + (i % keys), from.plus(Duration.ofMinutes(i / keys)), i);
            })
            .filter(row -> range.contains(row.getInstant("ts")));
      }
    };
  }
}
