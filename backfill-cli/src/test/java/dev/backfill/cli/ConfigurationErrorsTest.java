package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration errors met through the real commands: each is one line on standard error that
 * names the file, the line and the key, says what is valid, exits with 2 and changes nothing.
 * Line numbers are those of {@link CliHarness#CONFIG}.
 */
class ConfigurationErrorsTest {
  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(folder);
  }

  @Test
  void anInvalidColumnOrFeatureSetNameNamesItsLineAndKey() throws IOException {
    assertConfigError(CliHarness.CONFIG.replace("event-time: day\n    features: {trips: long}\n    source: {type: csv, path: trips.csv",
            "event-time: 5\n    features: {trips: long}\n    source: {type: csv, path: trips.csv"),
        "bad.yaml:9: feature-sets.driver_trips.event-time: feature set 'driver_trips': column name '5' is not valid; "
            + "use a letter or '_' then letters, digits or '_' (at most 128)");
    assertConfigError(CliHarness.CONFIG.replace("  driver_trips:", "  driver trips!:"),
        "bad.yaml:7: feature-sets.driver trips!: feature set name 'driver trips!' is not valid; use a letter then "
            + "letters, digits or '_' (at most 128)");
    assertConfigError(CliHarness.CONFIG.replace("features: {trips: long}\n    source: {type: csv, path: trips.csv",
            "features: {trips: long, 2nd-trip: double}\n    source: {type: csv, path: trips.csv"),
        "bad.yaml:10: feature-sets.driver_trips.features.2nd-trip: feature set 'driver_trips': column name '2nd-trip'");
  }

  @Test
  void featureSetNamesThatDifferOnlyInCaseAreRefusedWhenTheFileIsRead() throws IOException {
    assertConfigError(CliHarness.CONFIG + """
          Driver_Trips:
            keys: {driver: string}
            event-time: day
            source: {type: csv, path: trips.csv, time-column: day}
            backfill-start: 2024-01-01
        """,
        "bad.yaml:25: feature-sets.Driver_Trips: feature set 'Driver_Trips' differs from feature set 'driver_trips' "
            + "(line 7) only in case; the stores name a feature set's tables without regard to case (DuckDB), so "
            + "rename one of them");
  }

  @Test
  void yamlThatDoesNotParseShowsTheParsersWholeMessageAtTheProblemsLine() throws IOException {
    assertConfigError(CliHarness.CONFIG.replace("source: {type: csv, path: trips.csv, time-column: day}\n    backfill-start: 2024-01-01\n  broken",
            "source: {type: csv, path: trips.csv, time-column: day\n    backfill-start: 2024-01-01\n  broken"),
        "bad.yaml:12: not valid YAML: while parsing a flow mapping (line 11, column 13): expected ',' or '}', but got : "
            + "(line 12, column 19)");
    assertConfigError(CliHarness.CONFIG.replace("keys: {driver: string}", "keys: {driver: [string}"),
        "bad.yaml:8: not valid YAML: while parsing a flow sequence (line 8, column 20): expected ',' or ']', but got } "
            + "(line 8, column 27)");
  }

  @Test
  void aSqlQueryThatDoesNotParseShowsDuckDbsWholeMessage() throws IOException {
    String transform = "source: {type: csv, path: trips.csv, time-column: day}\n"
        + "    transform: {type: sql, query: \"SELECT driver, day, trips FRM source\"}\n    backfill-start: 2024-01-01\n  broken";
    Files.writeString(folder.resolve("sql.yaml"), CliHarness.CONFIG.replace(
        "source: {type: csv, path: trips.csv, time-column: day}\n    backfill-start: 2024-01-01\n  broken", transform));
    Run run = cli.run("--config", "sql.yaml", "features", "backfill", "--dry-run", "--environment", "local",
        "--feature-set", "driver_trips");
    assertOneLineUsageError(run, "error: sql.yaml:12: feature-sets.driver_trips.transform: transform 'sql': option query "
        + "'SELECT driver, day, trips FRM source' is not a valid DuckDB SELECT: syntax error at or near \"source\" "
        + "(at character 31 of the query)");

    Files.writeString(folder.resolve("sql.yaml"), CliHarness.CONFIG.replace(
        "source: {type: csv, path: trips.csv, time-column: day}\n    backfill-start: 2024-01-01\n  broken",
        transform.replace("transform: {type: sql, query: \"SELECT driver, day, trips FRM source\"}",
            "transform:\n      type: sql\n      query: |-\n        SELECT driver, day, trips\n"
            + "        FROM source WHERE driver = \"ann")));
    Run multiLine = cli.run("--config", "sql.yaml", "features", "backfill", "--dry-run", "--environment", "local",
        "--feature-set", "driver_trips");
    assertOneLineUsageError(multiLine, "option query 'SELECT driver, day, trips FROM source WHERE driver = \"ann' is "
        + "not a valid DuckDB SELECT: unterminated quoted identifier at or near \"\"ann\" (at character 54 of the query)");
  }

  @Test
  void anEntryWithoutATypeShowsAnExampleOfItsOwnKind() throws IOException {
    assertConfigError(CliHarness.CONFIG.replace("source: {type: csv, path: trips.csv", "source: {path: trips.csv"),
        "bad.yaml:11: feature-sets.driver_trips.source: the key 'type' is missing; name a source's plugin, such as "
            + "{type: parquet, path: data/events.parquet, time-column: ts} (types on the class path: csv, iceberg, jdbc, parquet, slow)");
    assertConfigError(CliHarness.CONFIG.replace("source: {type: csv, path: trips.csv, time-column: day}\n    backfill-start: 2024-01-01\n  broken",
            "source: {type: csv, path: trips.csv, time-column: day}\n    transform: {query: \"SELECT * FROM source\"}\n"
                + "    backfill-start: 2024-01-01\n  broken"),
        "bad.yaml:12: feature-sets.driver_trips.transform: the key 'type' is missing; name a transform's plugin, such as "
            + "{type: sql, query: \"SELECT * FROM source\"} (types on the class path: spark-sql, sql)");
    assertConfigError(CliHarness.CONFIG.replace("offline-store: {type: duckdb, path", "offline-store: {path"),
        "bad.yaml:3: environments.local.offline-store: the key 'type' is missing; name an offline store's plugin, such as "
            + "{type: duckdb, path: data/offline.duckdb}");
    assertConfigError(CliHarness.CONFIG.replace("online-store: {type: rocksdb, path", "online-store: {path"),
        "bad.yaml:4: environments.local.online-store: the key 'type' is missing; name an online store's plugin, such as "
            + "{type: rocksdb, path: data/online}");
  }

  @Test
  void aJobHistoryThatIsAFileIsAConfigurationErrorAtItsKey() throws IOException {
    Files.createDirectories(folder.resolve("data"));
    Files.writeString(folder.resolve("data/jobs"), "not a directory");

    for (List<String> command : List.of(List.of("list"), List.of("list-backfills"),
        List.of("backfill", "--feature-set", "driver_trips"))) {
      List<String> args = new ArrayList<>(List.of("features"));
      args.addAll(command);
      args.addAll(List.of("--environment", "local"));
      Run run = cli.run(args.toArray(String[]::new));
      assertOneLineUsageError(run, "error: backfill.yaml:5: environments.local.job-history: '"
          + folder.resolve("data/jobs") + "' is a file; job-history must be a directory (created when missing) for the "
          + "job records and the environment's lock: name another path");
    }
    assertThat(Files.readString(folder.resolve("data/jobs"))).isEqualTo("not a directory");
    assertThat(folder.resolve("data/offline.duckdb")).doesNotExist();
  }

  @Test
  void aCsvWithOnlyAHeaderSaysThatItsTypesCannotBeDetectedAndHowToDeclareThem() throws IOException {
    Files.writeString(folder.resolve("trips.csv"), "driver,day,trips\n");
    Run run = cli.run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips");
    assertOneLineUsageError(run, "error: backfill.yaml:11: feature-sets.driver_trips.source: data source 'csv': option "
        + "time-column 'day' has type VARCHAR; expected a TIMESTAMP, TIMESTAMP WITH TIME ZONE or DATE column: "
        + folder.resolve("trips.csv") + " has a header and no rows, so DuckDB has no values to detect the column types "
        + "from; declare them with the option types, such as types: 'driver: TYPE, day: timestamp, trips: TYPE'");

    Files.writeString(folder.resolve("typed.yaml"), CliHarness.CONFIG.replace("source: {type: csv, path: trips.csv, time-column: day}",
        "source: {type: csv, path: trips.csv, time-column: day, types: 'driver: string, day: timestamp, trips: long'}"));
    Run typed = cli.run("--config", "typed.yaml", "features", "backfill", "--environment", "local", "--feature-set",
        "driver_trips", "--stop-time", "2024-02-01");
    assertThat(typed.exitCode()).as(typed.err()).isZero();
    assertThat(typed.out()).contains("rows written          0");
  }

  @Test
  void aBadEngineIsAnErrorAtItsLine() throws IOException {
    String spark = CliHarness.CONFIG.replace("    job-history: data/jobs\n",
        "    job-history: data/jobs\n    engine: {type: spark, colour: red}\n");
    Files.writeString(folder.resolve("engine.yaml"), spark);
    assertOneLineUsageError(cli.run("--config", "engine.yaml", "features", "backfill", "--dry-run", "--environment",
        "local", "--feature-set", "driver_trips"), "error: engine.yaml:6: environments.local.engine: engine 'spark': "
        + "unknown option 'colour'; options: master, app-name, cluster-template, spark.*");
    Files.writeString(folder.resolve("engine.yaml"), spark.replace("{type: spark, colour: red}", "{type: flink}"));
    assertOneLineUsageError(cli.run("--config", "engine.yaml", "features", "backfill", "--dry-run", "--environment",
        "local", "--feature-set", "driver_trips"), "error: engine.yaml:6: environments.local.engine: unknown engine "
        + "type 'flink'; known types: spark");
    Files.writeString(folder.resolve("engine.yaml"), spark.replace("{type: spark, colour: red}", "{master: local}"));
    assertOneLineUsageError(cli.run("--config", "engine.yaml", "features", "list", "--environment", "local"),
        "error: engine.yaml:6: environments.local.engine: the key 'type' is missing; name an engine's plugin, such as "
        + "{type: spark, master: \"local[2]\"} (default: in-process) (types on the class path: in-process, spark)");
  }

  private void assertConfigError(String yaml, String expected) throws IOException {
    Files.writeString(folder.resolve("bad.yaml"), yaml);
    for (String command : List.of("list", "list-backfills")) {
      Run run = cli.run("--config", "bad.yaml", "features", command, "--environment", "local");
      assertOneLineUsageError(run, "error: " + expected);
    }
    assertThat(folder.resolve("data")).doesNotExist();
  }

  private static void assertOneLineUsageError(Run run, String expected) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).singleElement().asString().contains(expected);
  }
}
