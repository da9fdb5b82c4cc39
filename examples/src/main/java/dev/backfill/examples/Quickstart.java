package dev.backfill.examples;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOfflineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The quickstart: a feature set of daily driver statistics, loaded, corrected over one week
 * with a fixed transform, then reset from a new source, on in-memory stores. It prints what
 * each backfill changed in the offline and the online store.
 */
public final class Quickstart {
  static final String FEATURE_SET = "driver_stats";
  static final Instant START = Instant.parse("2024-06-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2024-06-15T00:00:00Z");
  static final List<String> DRIVERS = List.of("ada", "bob", "cyd", "dee", "eve");

  /** The raw trips: one row per driver and day, the fare in cents. */
  static final Schema TRIPS = Schema.of(
      new dev.backfill.api.Field("driver", FieldType.STRING),
      new dev.backfill.api.Field("day", FieldType.TIMESTAMP),
      new dev.backfill.api.Field("trips", FieldType.LONG),
      new dev.backfill.api.Field("fare_cents", FieldType.LONG));

  private Quickstart() {}

  public static void main(String[] args) {
    // The examples ship no SLF4J backend; add one (e.g. slf4j-simple) to see the engine's logs.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    run(System.out);
  }

  /** Runs the three backfills and returns the final online rows by driver. */
  static Map<String, Optional<Row>> run(PrintStream out) {
    FeatureSet features = FeatureSet.builder(FEATURE_SET)
        .key("driver", FieldType.STRING)
        .eventTime("day")
        .feature("trips", FieldType.LONG)
        .feature("avg_fare", FieldType.DOUBLE)
        .source(InMemoryDataSource.of(TRIPS, "day", rawTrips(DRIVERS, START, NOW)))
        .transform(averageFare(1.0)) // the bug: cents reported as dollars
        .backfillStart(START)
        .build();

    try (InMemoryOfflineStore offline = InMemoryOfflineStore.create();
         InMemoryOnlineStore online = InMemoryOnlineStore.create();
         BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online)
             .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()) {
      client.register(features);
      out.println("Backfill quickstart: feature set " + features.name() + " " + features.schema());
      out.println("in-memory stores, clock at " + NOW + "\n");

      BackfillResult load = client.backfill(FEATURE_SET).comment("initial load").run();
      report(out, "1. Initial load of " + load.range() + " (the transform has a bug: fares in cents)", load, client);

      Instant weekAgo = NOW.minus(7, ChronoUnit.DAYS);
      BackfillResult fix = client.backfill(FEATURE_SET).between(weekAgo, NOW)
          .transform(averageFare(100.0)).comment("fix cents to dollars for the last week").run();
      report(out, "2. Interval backfill of " + fix.range() + " with the corrected transform", fix, client);
      out.println("   rows before " + weekAgo + " are untouched: " + describe(firstRowOf(client, "ada")) + "\n");

      DataSource newFeed = InMemoryDataSource.of(TRIPS, "day", rawTrips(List.of("ada", "bob"), NOW.minus(3, ChronoUnit.DAYS), NOW));
      BackfillResult reset = client.backfill(FEATURE_SET).reset().between(NOW.minus(3, ChronoUnit.DAYS), NOW)
          .source(newFeed).transform(averageFare(100.0)).comment("reset from the new feed").run();
      report(out, "3. Reset of everything, repopulated from a new feed for " + reset.range(), reset, client);

      out.println("Job history, newest first:");
      client.jobs(FEATURE_SET).forEach(job -> out.printf("   %s  %-9s %s%s  %s%n", job.id(), job.status(),
          job.plan().range(), job.plan().reset() ? " reset" : "", job.plan().comment().orElse("")));
      Map<String, Optional<Row>> finalRows = new LinkedHashMap<>();
      DRIVERS.forEach(d -> finalRows.put(d, client.readOnline(FEATURE_SET, EntityKey.of(d))));
      return finalRows;
    }
  }

  private static void report(PrintStream out, String title, BackfillResult result, BackfillClient client) {
    out.println(title);
    out.printf("   job %s: %d rows read, %d written, %d dropped out of range, %d offline rows deleted,%n"
            + "   %d online keys written, %d deleted, in %d ms%n",
        result.jobId(), result.rowsRead(), result.rowsWritten(), result.rowsDroppedOutOfRange(),
        result.offlineRowsDeleted(), result.onlineKeysWritten(), result.onlineKeysDeleted(), result.elapsed().toMillis());
    long offlineRows;
    try (Stream<Row> rows = client.readOffline(FEATURE_SET, TimeRange.all())) {
      offlineRows = rows.count();
    }
    out.println("   offline rows now: " + offlineRows + "; online rows now:");
    for (String driver : DRIVERS) {
      out.println("     " + driver + ": " + describe(client.readOnline(FEATURE_SET, EntityKey.of(driver))));
    }
    out.println();
  }

  private static Optional<Row> firstRowOf(BackfillClient client, String driver) {
    try (Stream<Row> rows = client.readOffline(FEATURE_SET, TimeRange.all())) {
      return rows.filter(r -> r.getString("driver").equals(driver)).min((a, b) -> a.getInstant("day").compareTo(b.getInstant("day")));
    }
  }

  private static String describe(Optional<Row> row) {
    return row.map(r -> r.getInstant("day").toString().substring(0, 10) + " trips=" + r.getLong("trips")
        + " avg_fare=" + String.format("%.2f", r.getDouble("avg_fare"))).orElse("(absent)");
  }

  /** Average fare per trip, in dollars when {@code centsPerDollar} is 100. */
  static Transform averageFare(double centsPerDollar) {
    Schema output = Schema.of(
        new dev.backfill.api.Field("driver", FieldType.STRING),
        new dev.backfill.api.Field("day", FieldType.TIMESTAMP),
        new dev.backfill.api.Field("trips", FieldType.LONG),
        new dev.backfill.api.Field("avg_fare", FieldType.DOUBLE));
    return Transform.map(output, trip -> Row.of(output, trip.get("driver"), trip.get("day"), trip.get("trips"),
        trip.getLong("fare_cents") / (double) trip.getLong("trips") / centsPerDollar));
  }

  /** Deterministic raw trips: every driver, every day in [from, to). */
  static List<Row> rawTrips(List<String> drivers, Instant from, Instant to) {
    List<Row> rows = new ArrayList<>();
    for (Instant day = from; day.isBefore(to); day = day.plus(1, ChronoUnit.DAYS)) {
      int dayOfMonth = day.atZone(ZoneOffset.UTC).getDayOfMonth();
      for (int i = 0; i < drivers.size(); i++) {
        long trips = 3 + (dayOfMonth + i) % 5;
        rows.add(Row.of(TRIPS, drivers.get(i), day, trips, trips * (1_200 + 150L * i)));
      }
    }
    return rows;
  }
}
