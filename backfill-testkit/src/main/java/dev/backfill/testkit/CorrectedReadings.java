package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of a crash test of an interval correction, shared by a test and the child JVM it
 * halts: {@code sensors} sensors with one reading a day for ten days (version 1), and a corrected
 * version 2 of days 3 to 7 in which the sensors from {@code transientFrom} on (those that only
 * had readings in those days) are gone, so that the online update must delete their keys.
 *
 * @param sensors how many sensors version 1 has
 * @param transientFrom sensors from this number on have rows only inside {@link #CORRECTED}, and
 *     only in version 1
 * @param spacing how far apart the readings of two consecutive sensors are within a day
 */
public record CorrectedReadings(int sensors, int transientFrom, Duration spacing) {
  /** The feature set's name. */
  public static final String FEATURE_SET = "readings";
  /** The first day. */
  public static final Instant DAY0 = Instant.parse("2024-05-01T00:00:00Z");
  /** A clock at the end of the ten days, so that backfills of them are not in the future. */
  public static final Clock CLOCK = Clock.fixed(DAY0.plus(Duration.ofDays(10)), ZoneOffset.UTC);
  /** The ten days. */
  public static final TimeRange ALL_DAYS = TimeRange.of(DAY0, DAY0.plus(Duration.ofDays(10)));
  /** Days 3 to 7, which version 2 corrects. */
  public static final TimeRange CORRECTED = TimeRange.of(DAY0.plus(Duration.ofDays(3)), DAY0.plus(Duration.ofDays(7)));
  /** sensor (key), ts (event time), value, version. */
  public static final Schema SCHEMA = Schema.of(new Field("sensor", FieldType.STRING),
      new Field("ts", FieldType.TIMESTAMP), new Field("value", FieldType.DOUBLE), new Field("version", FieldType.LONG));

  public CorrectedReadings {
    if (transientFrom < 0 || transientFrom > sensors || spacing.isNegative()
        || spacing.multipliedBy(sensors).compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("need 0 <= transientFrom <= sensors and the sensors' readings within a day");
    }
  }

  /** The feature set, its source version 1. */
  public FeatureSet featureSet() {
    return FeatureSet.builder(FEATURE_SET).key("sensor", FieldType.STRING).eventTime("ts")
        .feature("value", FieldType.DOUBLE).feature("version", FieldType.LONG)
        .source(InMemoryDataSource.of(SCHEMA, "ts", version1())).backfillStart(DAY0).build();
  }

  private Instant reading(int day, int sensor) {
    return DAY0.plus(Duration.ofDays(day)).plus(spacing.multipliedBy(sensor));
  }

  /** Every row of version 1. */
  public List<Row> version1() {
    List<Row> rows = new ArrayList<>();
    for (int day = 0; day < 10; day++) {
      for (int s = 0; s < sensors; s++) {
        Instant ts = reading(day, s);
        if (s < transientFrom || CORRECTED.contains(ts)) {
          rows.add(Row.of(SCHEMA, "s" + s, ts, s * 1.5 + day, 1L));
        }
      }
    }
    return rows;
  }

  /** The rows of version 2 inside {@link #CORRECTED}. */
  public List<Row> version2() {
    List<Row> rows = new ArrayList<>();
    for (int day = 3; day < 7; day++) {
      for (int s = 0; s < transientFrom; s++) {
        rows.add(Row.of(SCHEMA, "s" + s, reading(day, s), -s - day * 0.25, 2L));
      }
    }
    return rows;
  }

  /** The key of every sensor of version 1. */
  public List<EntityKey> keys() {
    List<EntityKey> keys = new ArrayList<>();
    for (int s = 0; s < sensors; s++) {
      keys.add(EntityKey.of("s" + s));
    }
    return keys;
  }

  /** The offline rows after the corrected backfill: version 1 outside the interval, version 2 inside. */
  public List<Row> afterCorrection() {
    List<Row> rows = new ArrayList<>();
    for (Row row : version1()) {
      if (!CORRECTED.contains(row.getInstant("ts"))) {
        rows.add(row);
      }
    }
    rows.addAll(version2());
    return rows;
  }
}
