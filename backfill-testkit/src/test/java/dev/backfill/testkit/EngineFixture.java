package dev.backfill.testkit;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** A feature set, its rows and a clock the engine tests of this module share. */
final class EngineFixture {
  static final Instant D0 = Instant.parse("2024-01-01T00:00:00Z");
  static final String NAME = "trips";

  private EngineFixture() {}

  static Instant day(int n) {
    return D0.plus(n, ChronoUnit.DAYS);
  }

  /** {@code trips}: key {@code driver STRING}, event time {@code ts}, feature {@code rides LONG}. */
  static FeatureSet trips() {
    return FeatureSet.builder(NAME).key("driver", FieldType.STRING).eventTime("ts").feature("rides", FieldType.LONG)
        .backfillStart(D0).build();
  }

  static Schema schema() {
    return trips().schema();
  }

  static Row trip(String driver, Instant ts, long rides) {
    return Row.of(schema(), driver, ts, rides);
  }

  /** A row every hour from day 0 to day 12 for drivers a, b and c. */
  static DataSource hourly() {
    List<Row> rows = new ArrayList<>();
    for (int h = 0; h < 12 * 24; h++) {
      rows.add(trip(String.valueOf((char) ('a' + h % 3)), D0.plus(Duration.ofHours(h)), h));
    }
    return InMemoryDataSource.of(schema(), "ts", rows);
  }

  /** A client on fresh in-memory stores with the clock. */
  static BackfillClient client(Clock clock) {
    return BackfillClient.builder().offlineStore(InMemoryOfflineStore.create()).onlineStore(InMemoryOnlineStore.create())
        .clock(clock).build();
  }

  /** A clock a test moves. */
  static final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
