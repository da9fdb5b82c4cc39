package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 point 17: source rows whose event time is null were skipped without being counted, on
 * both paths. They are counted now, in the result and the summary, the same on the fast path
 * (the rows never leave DuckDB) and on the path that streams rows through the JVM.
 */
class RowsWithoutEventTimeTest {
  private static final String CONFIG = """
      environments:
        fast:
          offline-store: {type: duckdb, path: fast/offline.duckdb}
          online-store: {type: rocksdb, path: fast/online}
          job-history: fast/jobs
        jvm:
          offline-store: {type: duckdb, path: jvm/offline.duckdb, fast-path: false}
          online-store: {type: rocksdb, path: jvm/online}
          job-history: jvm/jobs
      feature-sets:
        trips:
          keys: {driver: string}
          event-time: day
          features: {trips: long}
          source: {type: csv, path: trips.csv, time-column: day}
          backfill-start: 2024-01-01
        trips_sql:
          keys: {driver: string}
          event-time: day
          features: {trips: long}
          source: {type: csv, path: trips.csv, time-column: day}
          transform: {type: sql, query: "SELECT driver, day, trips * 10 AS trips FROM source"}
          backfill-start: 2024-01-01
      """;

  @TempDir Path folder;

  @Test
  void rowsWithoutAnEventTimeAreCountedAndNotWrittenTheSameOnBothPaths() throws IOException {
    Files.writeString(folder.resolve("backfill.yaml"), CONFIG);
    Files.writeString(folder.resolve("trips.csv"), """
        driver,day,trips
        ann,2024-01-01,1
        bob,,2
        ann,2024-01-02,3
        cid,,4
        cid,2024-01-03,5
        """);
    CliHarness cli = new CliHarness(folder, false);

    for (String featureSet : List.of("trips", "trips_sql")) {
      Run fast = cli.run("features", "backfill", "--environment", "fast", "--feature-set", featureSet,
          "--stop-time", "2024-02-01");
      Run jvm = cli.run("features", "backfill", "--environment", "jvm", "--feature-set", featureSet,
          "--stop-time", "2024-02-01");

      for (Run run : List.of(fast, jvm)) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("rows read             3\n").contains("rows written          3\n")
            .contains("without event time    2 (source rows whose event time is null: no range holds them, so "
                + "they were not written)\n").contains("online keys written   2\n");
      }
      assertThat(withoutElapsed(fast.out().substring(fast.out().indexOf('\n'))))
          .isEqualTo(withoutElapsed(jvm.out().substring(jvm.out().indexOf('\n'))));
      String job = fast.out().substring("Backfill job ".length(), "Backfill job ".length() + 27);
      assertThat(cli.run("features", "backfill-status", "--environment", "fast", "--job", job).out())
          .contains("without event time    2 (");
    }
  }

  private static String withoutElapsed(String summary) {
    return summary.replaceAll("elapsed .*", "elapsed");
  }
}
