package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import dev.backfill.cli.CliHarness.StoreContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feature set whose columns changed after it was stored: the error says which column changed
 * and what to do, and {@code features drop} deletes the stored data after a confirmation so that
 * the changed definition can be backfilled.
 */
class DropCommandTest {
  private static final List<String> DRIVERS = List.of("ann", "bob", "cid");

  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(folder);
  }

  @Test
  void aChangedColumnTypeSaysWhatChangedAndHowToGoOnAndDropLetsTheNewDefinitionBeBackfilled() throws IOException {
    Run first = cli.run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips",
        "--stop-time", "2024-02-01");
    assertThat(first.exitCode()).as(first.err()).isZero();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    String changed = CliHarness.CONFIG.replace("features: {trips: long}\n    source: {type: csv, path: trips.csv, time-column: day}",
        "features: {trips: double}\n    source: {type: csv, path: trips.csv, time-column: day, types: 'trips: double'}");

    Files.writeString(folder.resolve("backfill.yaml"), changed.replace("{trips: double}", "{trips: double, fare: double}"));
    Run refused = cli.run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err().lines()).singleElement().asString().isEqualTo("error: backfill.yaml:7: feature-sets.driver_trips: "
        + "feature set 'driver_trips' is stored in environment 'local' with other columns than declared here: column "
        + "'trips' changed from long to double; column 'fare' (double) is new; the stored data keeps its columns, so "
        + "give the new definition another feature-set name, or delete the stored data (offline and online tables and "
        + "job records) with 'backfill features drop --environment local --feature-set driver_trips' and backfill it "
        + "again");

    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG);
    Run script = cli.run("features", "drop", "--environment", "local", "--feature-set", "driver_trips");
    assertThat(script.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(script.err().lines()).singleElement().asString().isEqualTo("error: drop deletes the stored data of feature "
        + "set 'driver_trips' in environment 'local': its offline table, its online table and its 1 job record(s); this "
        + "cannot be undone; standard input is not a terminal, so confirm with --yes (nothing was changed)");
    Run declined = cli.command().answering("n").run("features", "drop", "--environment", "local", "--feature-set",
        "driver_trips");
    assertThat(declined.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(declined.err()).contains("Continue? [y/N] ")
        .contains("error: drop of feature set 'driver_trips' not confirmed (answer y or yes, or pass --yes); nothing was changed");
    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);

    Run dropped = cli.command().answering("yes").run("features", "drop", "--environment", "local", "--feature-set",
        "driver_trips");
    assertThat(dropped.exitCode()).as(dropped.err()).isZero();
    assertThat(dropped.out()).isEqualTo("dropped feature set 'driver_trips' in environment 'local': its offline table, "
        + "its online table and 1 job record(s)\n");

    Files.writeString(folder.resolve("backfill.yaml"), changed);
    Run again = cli.run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips",
        "--stop-time", "2024-02-01");
    assertThat(again.exitCode()).as(again.err()).isZero();
    StoreContents after = cli.contents("driver_trips", DRIVERS);
    assertThat(after.offline()).hasSize(60).allMatch(row -> row.matches(".*trips=\\d+\\.\\d+.*"));
    assertThat(after.online()).hasSize(3);
    List<String> listing = cli.run("features", "list-backfills", "--environment", "local").out().lines().toList();
    assertThat(listing).hasSize(2);
    assertThat(listing.get(1)).contains(jobIdOf(again.err()));
  }

  @Test
  void dropWithYesDeletesAFeatureSetNoLongerDeclaredAndLeavesTheOthers() throws IOException {
    for (String name : List.of("driver_trips", "slow_counter")) {
      Run run = cli.run("features", "backfill", "--environment", "local", "--feature-set", name, "--stop-time",
          "2024-01-01T01:00:00");
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
    StoreContents counter = cli.contents("slow_counter", List.of("k0", "k1", "k2"));
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG.replace("  driver_trips:", "  renamed_trips:"));

    Run dropped = cli.run("features", "drop", "--yes", "--environment", "local", "--name", "driver_trips");

    assertThat(dropped.exitCode()).as(dropped.err()).isZero();
    assertThat(dropped.out()).startsWith("dropped feature set 'driver_trips' in environment 'local'");
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG);
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).isEmpty();
    assertThat(cli.contents("slow_counter", List.of("k0", "k1", "k2"))).isEqualTo(counter);
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out().lines()).hasSize(2)
        .anySatisfy(line -> assertThat(line).contains("slow_counter"));
  }

  private static String jobIdOf(String text) {
    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("bf-\\d{8}-\\d{6}-[0-9a-f]{8}").matcher(text);
    assertThat(matcher.find()).isTrue();
    return matcher.group();
  }
}
