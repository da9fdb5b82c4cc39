package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionRun} gives, inside a run, the partition Iceberg's own transform computes, for
 * hour, day and month partitioning, across partition edges and before 1970.
 */
class PartitionRunTest {
  private static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "k", Types.StringType.get()),
      Types.NestedField.required(2, "ts", Types.TimestampType.withZone()));

  @Test
  void theRunGivesIcebergsPartitionForEveryRecordOfHourDayAndMonthTables() {
    List<Instant> times = new ArrayList<>();
    for (String edge : List.of("1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "2024-02-29T23:00:00Z",
        "2024-03-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z")) {
      Instant t = Instant.parse(edge);
      for (long micros : new long[] {-3_600_000_001L, -1, 0, 1, 1_799_999_999L, 3_600_000_000L, 86_399_999_999L}) {
        Instant shifted = t.plusNanos(micros * 1_000);
        if (!shifted.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
            && shifted.isBefore(Instant.parse("+10000-01-01T00:00:00Z"))) {
          times.add(shifted);
        }
      }
    }
    for (PartitionSpec spec : List.of(PartitionSpec.builderFor(SCHEMA).hour("ts").build(),
        PartitionSpec.builderFor(SCHEMA).day("ts").build(), PartitionSpec.builderFor(SCHEMA).month("ts").build())) {
      PartitionRun run = PartitionRun.of(spec, SCHEMA);
      assertThat(run).as(spec.toString()).isNotNull();
      PartitionKey key = new PartitionKey(spec, SCHEMA);
      PartitionKey expected = new PartitionKey(spec, SCHEMA);
      InternalRecordWrapper wrapper = new InternalRecordWrapper(SCHEMA.asStruct());
      int held = 0;
      // In order, as a slice's rows come, and then out of order.
      List<Instant> order = new ArrayList<>(times.stream().sorted().toList());
      order.addAll(times);
      for (Instant t : order) {
        GenericRecord record = GenericRecord.create(SCHEMA);
        record.set(0, "a");
        record.set(1, OffsetDateTime.of(LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC),
            ZoneOffset.UTC));
        if (run.holds(record)) {
          held++;
        } else {
          key.partition(wrapper.wrap(record));
          run.computed(record, key);
        }
        expected.partition(wrapper.wrap(record));
        assertThat(key).as(spec + " at " + t).isEqualTo(expected);
      }
      assertThat(held).as("records placed without the transform, " + spec).isGreaterThan(0);
    }
  }

  @Test
  void otherSpecsHaveNoRun() {
    assertThat(PartitionRun.of(PartitionSpec.unpartitioned(), SCHEMA)).isNull();
    assertThat(PartitionRun.of(PartitionSpec.builderFor(SCHEMA).identity("k").build(), SCHEMA)).isNull();
    assertThat(PartitionRun.of(PartitionSpec.builderFor(SCHEMA).year("ts").build(), SCHEMA)).isNull();
  }
}
