package dev.backfill.iceberg;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.types.Types;

/**
 * The event-time range of the partition a writer computed last, for a table partitioned by one
 * time transform ({@code hour}, {@code day}, {@code month}) of a {@code timestamptz} column. A
 * backfill's rows come in runs of one partition (a slice reads its range in order), and
 * Iceberg's transform converts each value through time zones (on Java 17 it builds the offset's
 * rules anew for every value): inside the run a record's partition is the one computed last,
 * told by two comparisons. Only ranges from the epoch on are held, where every reading of the
 * transform (rounding down) agrees; a record before 1970 is always computed. Not thread-safe:
 * one per {@link StagedFiles}, whose writes are serialised.
 */
final class PartitionRun {
  private final int position;
  private final String unit;
  private OffsetDateTime start;
  private OffsetDateTime end;

  private PartitionRun(int position, String unit) {
    this.position = position;
    this.unit = unit;
  }

  /** The run of a spec of one hour, day or month field of a timestamptz column; else null. */
  static PartitionRun of(PartitionSpec spec, Schema schema) {
    if (spec.fields().size() != 1) {
      return null;
    }
    PartitionField field = spec.fields().get(0);
    String unit = field.transform().toString();
    Types.NestedField source = schema.findField(field.sourceId());
    List<Types.NestedField> columns = schema.columns();
    if (!List.of("hour", "day", "month").contains(unit) || source == null
        || !source.type().equals(Types.TimestampType.withZone()) || !columns.contains(source)) {
      return null;
    }
    return new PartitionRun(columns.indexOf(source), unit);
  }

  /** Whether the record's event time lies in the range of the partition computed last. */
  boolean holds(StructLike record) {
    if (start == null) {
      return false;
    }
    OffsetDateTime t = record.get(position, OffsetDateTime.class);
    return !t.isBefore(start) && t.isBefore(end);
  }

  /** Records the range of the partition just computed for the record. */
  void computed(StructLike record, PartitionKey key) {
    long value = key.get(0, Integer.class);
    start = null;
    if (value < 0) {
      return;
    }
    OffsetDateTime from;
    OffsetDateTime to;
    switch (unit) {
      case "hour" -> {
        from = at(LocalDateTime.ofEpochSecond(value * 3_600L, 0, ZoneOffset.UTC));
        to = at(LocalDateTime.ofEpochSecond((value + 1) * 3_600L, 0, ZoneOffset.UTC));
      }
      case "day" -> {
        from = at(LocalDateTime.ofEpochSecond(value * 86_400L, 0, ZoneOffset.UTC));
        to = at(LocalDateTime.ofEpochSecond((value + 1) * 86_400L, 0, ZoneOffset.UTC));
      }
      default -> {
        LocalDate month = LocalDate.of(1970, 1, 1).plusMonths(value);
        from = at(month.atStartOfDay());
        to = at(month.plusMonths(1).atStartOfDay());
      }
    }
    // A range that does not hold the record it was computed from is not trusted.
    OffsetDateTime t = record.get(position, OffsetDateTime.class);
    if (!t.isBefore(from) && t.isBefore(to)) {
      start = from;
      end = to;
    }
  }

  private static OffsetDateTime at(LocalDateTime utc) {
    return OffsetDateTime.of(utc, ZoneOffset.UTC);
  }
}
