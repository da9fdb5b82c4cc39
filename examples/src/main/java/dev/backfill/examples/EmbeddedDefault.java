package dev.backfill.examples;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The embedded default end to end: a DuckDB offline store file and a RocksDB online store
 * directory under a data folder, the feature set {@code airport_delays} read from the generated
 * {@code flights.parquet} through a SQL transform. It resets the feature set from the feed, then
 * repairs the feed's faulty last week (delays in seconds) with a corrected transform for that
 * week only, and shows what each step changed. Run it again: the reset makes it repeatable.
 */
public final class EmbeddedDefault {
  static final String FEATURE_SET = "airport_delays";
  static final String SELECT = "SELECT origin, date, delay, distance, destination FROM source";
  static final String SELECT_FIXED = "SELECT origin, date, CAST(round(delay / 60) AS BIGINT) AS delay, distance, destination FROM source";

  private EmbeddedDefault() {}

  /** Runs the example on the data folder given as the only argument (default: data). */
  public static void main(String[] args) {
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    run(Path.of(args.length > 0 ? args[0] : "data"), System.out);
  }

  /** Runs the two backfills on the stores under {@code data}; returns the final average delay of the faulty week. */
  static double run(Path data, PrintStream out) {
    Path flights = FlightsGenerator.ensure(data);
    FeatureSet airportDelays = FeatureSet.builder(FEATURE_SET)
        .key("origin", FieldType.STRING)
        .eventTime("date")
        .feature("delay", FieldType.LONG)
        .feature("distance", FieldType.LONG)
        .feature("destination", FieldType.STRING)
        .source(Plugins.dataSource("parquet", Map.of("path", flights.toString(), "time-column", "date")))
        .transform(Plugins.transform("sql", Map.of("query", SELECT)))
        .backfillStart(FlightsGenerator.FIRST_DAY)
        .build();
    try (BackfillClient client = BackfillClient.builder()
        .offlineStore("duckdb", Map.of("path", data.resolve("offline.duckdb").toString()))
        .onlineStore("rocksdb", Map.of("path", data.resolve("online").toString()))
        .jobHistory(data.resolve("jobs"))
        .build()) {
      client.register(airportDelays);
      out.println("Embedded default: offline " + data.resolve("offline.duckdb") + " (DuckDB), online "
          + data.resolve("online") + " (RocksDB), source " + flights + "\n");

      BackfillResult reset = client.backfill(FEATURE_SET).reset()
          .between(FlightsGenerator.FIRST_DAY, FlightsGenerator.END).comment("reset from the flights feed").run();
      report(out, "1. Reset of " + FEATURE_SET + " from the feed", reset, client);

      TimeRange faultyWeek = TimeRange.of(FlightsGenerator.FAULTY_WEEK_START, FlightsGenerator.END);
      Transform fixed = Plugins.transform("sql", Map.of("query", SELECT_FIXED));
      BackfillResult repair = client.backfill(FEATURE_SET).between(faultyWeek.start(), faultyWeek.stop())
          .transform(fixed).comment("the feed's last week had delays in seconds").run();
      report(out, "2. Interval backfill of " + faultyWeek + " with a corrected transform", repair, client);

      out.println("Job history, newest first:");
      client.jobs(FEATURE_SET).stream().limit(4).forEach(job -> out.printf("   %s  %-9s %s%s  %s%n", job.id(), job.status(),
          job.plan().range(), job.plan().reset() ? " reset" : "", job.plan().comment().orElse("")));
      return averageDelay(client, faultyWeek);
    }
  }

  private static void report(PrintStream out, String title, BackfillResult result, BackfillClient client) {
    out.println(title);
    out.printf("   job %s: %,d rows read, %,d written, %,d dropped out of range, %,d offline rows deleted,%n"
            + "   %d online keys written, %d deleted, in %d ms%n",
        result.jobId(), result.rowsRead(), result.rowsWritten(), result.rowsDroppedOutOfRange(),
        result.offlineRowsDeleted(), result.onlineKeysWritten(), result.onlineKeysDeleted(), result.elapsed().toMillis());
    TimeRange before = TimeRange.of(FlightsGenerator.FIRST_DAY, FlightsGenerator.FAULTY_WEEK_START);
    TimeRange faulty = TimeRange.of(FlightsGenerator.FAULTY_WEEK_START, FlightsGenerator.END);
    out.printf("   average delay: %.1f min before %s, %.1f min in the last week%n",
        averageDelay(client, before), FlightsGenerator.FAULTY_WEEK_START.toString().substring(0, 10), averageDelay(client, faulty));
    out.println("   online (latest departure per origin):");
    for (String origin : List.of("ATL", "JFK", "SFO")) {
      out.println("     " + origin + ": " + client.readOnline(FEATURE_SET, EntityKey.of(origin))
          .map(r -> r.getInstant("date") + " to " + r.getString("destination") + ", delay " + r.getLong("delay") + " min")
          .orElse("(absent)"));
    }
    out.println();
  }

  private static double averageDelay(BackfillClient client, TimeRange range) {
    try (Stream<Row> rows = client.readOffline(FEATURE_SET, range)) {
      return rows.mapToLong(r -> r.getLong("delay")).average().orElse(Double.NaN);
    }
  }
}
