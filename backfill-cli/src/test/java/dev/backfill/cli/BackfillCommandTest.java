package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import dev.backfill.cli.CliHarness.StoreContents;
import dev.backfill.cli.logging.CliLogging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real commands, run in this process on a real DuckDB file and RocksDB directory. */
class BackfillCommandTest {
  private static final List<String> DRIVERS = List.of("ann", "bob", "cid");
  private static final List<String> COUNTER_KEYS = List.of("k0", "k1", "k2");
  private static final Pattern JOB_ID = Pattern.compile("bf-\\d{8}-\\d{6}-[0-9a-f]{8}");

  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(folder);
  }

  @Test
  void aConfirmedResetFillsBothStoresAndPrintsTheSummary() {
    Run run = cli.run("features", "backfill", "--reset-backfill", "--yes", "--environment", "local",
        "--feature-set", "driver_trips", "--stop-time", "2024-02-01");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).containsPattern("Backfill job bf-\\S+ of driver_trips succeeded")
        .contains("range                 [2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z), reset")
        .contains("rows read             60").contains("rows written          60")
        .contains("dropped out of range  0").contains("offline rows deleted  0")
        .contains("online keys written   3").contains("online keys deleted   0").contains("elapsed");
    StoreContents contents = cli.contents("driver_trips", DRIVERS);
    assertThat(contents.offline()).hasSize(60);
    assertThat(contents.online()).hasSize(3);
    assertThat(contents.online().get("ann")).contains("day=2024-01-20T00:00:00Z", "trips=" + (200 + 'a' % 7));
  }

  @Test
  void anIntervalBackfillReplacesOnlyItsRange() throws IOException {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    rewriteTrips(day -> day >= 5 && day <= 7 ? Long.valueOf(1000) : null);

    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-05", "--stop-time", "2024-01-08 00:00:00", "--comment", "fix days 5 to 7");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("rows written          9").contains("offline rows deleted  9")
        .contains("[2024-01-05T00:00:00Z, 2024-01-08T00:00:00Z)").doesNotContain(", reset");
    StoreContents after = cli.contents("driver_trips", DRIVERS);
    assertThat(after.offline()).hasSize(60);
    assertThat(after.offline().stream().filter(r -> r.contains("trips=1000"))).hasSize(9);
    assertThat(after.offline().stream().filter(r -> !r.contains("trips=1000")).toList())
        .isEqualTo(before.offline().stream().filter(r -> !inDays5To7(r)).toList());
    assertThat(after.online()).isEqualTo(before.online());
  }

  @Test
  void aResetWithoutYesIsRefusedWhenStandardInputIsNotATerminal() throws IOException {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    rewriteTrips(day -> 7L);

    Run run = cli.run("features", "backfill", "--reset", "--environment", "local", "--name", "driver_trips");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err().lines()).singleElement().asString()
        .startsWith("error: --reset-backfill deletes all offline and online data of feature set 'driver_trips'")
        .contains("standard input is not a terminal, so confirm with --yes");
    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out().lines()).hasSize(2);
  }

  @Test
  void aResetOnATerminalAsksAndOnlyYesGoesAhead() throws IOException {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    rewriteTrips(day -> 7L);

    Run declined = cli.command().answering("n").run("features", "backfill", "--reset", "--environment", "local",
        "--name", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(declined.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(declined.err()).contains("Continue? [y/N]").contains("not confirmed").contains("nothing was changed");
    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);

    Run confirmed = cli.command().answering("yes").run("features", "backfill", "--reset", "--environment", "local",
        "--name", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(confirmed.exitCode()).isZero();
    assertThat(confirmed.out()).contains("offline rows deleted  60");
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).hasSize(60).allMatch(r -> r.contains("trips=7"));
  }

  @Test
  void aDryRunPrintsThePlanChangesNothingAndAsksNothing() {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);

    Run many = cli.run("features", "backfill", "--dry-run", "--reset", "--environment", "local", "--name",
        "driver_trips", "--stop-time", "2024-01-21", "--cluster-template", "large", "--comment", "try");
    assertThat(many.exitCode()).isZero();
    assertThat(many.out()).startsWith("Dry run: backfill of driver_trips (nothing is changed)")
        .contains("range                 [2024-01-01T00:00:00Z, 2024-01-21T00:00:00Z)")
        .contains("reset                 yes").contains("cluster template      " + workers("LARGE", 8))
        .contains("replaces              60 offline rows of 3 keys, all the feature set holds now")
        .contains("comment               try").contains("slices                20");
    assertThat(many.out().lines().skip(7).map(String::trim).toList()).containsExactly(
        "[2024-01-01T00:00:00Z, 2024-01-02T00:00:00Z)", "[2024-01-02T00:00:00Z, 2024-01-03T00:00:00Z)", "<..>",
        "[2024-01-19T00:00:00Z, 2024-01-20T00:00:00Z)", "[2024-01-20T00:00:00Z, 2024-01-21T00:00:00Z)");

    Run few = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-02", "--stop-time", "2024-01-12");
    assertThat(few.exitCode()).isZero();
    assertThat(few.out()).contains("reset                 no").contains("slices                10").doesNotContain("<..>")
        .contains("replaces              30 offline rows of 3 keys in the range now");
    assertThat(few.out().lines().skip(6).map(String::trim).toList()).hasSize(10)
        .startsWith("[2024-01-02T00:00:00Z, 2024-01-03T00:00:00Z)").endsWith("[2024-01-11T00:00:00Z, 2024-01-12T00:00:00Z)");

    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out().lines()).hasSize(2);
  }

  @Test
  void aBackfillThatWouldOnlyDeleteIsRefusedWithoutATerminalAndChangesNothing() throws IOException {
    // Issue 10 point 13: the source had no row for the range (a wrong filter, an empty folder),
    // and the interval was emptied silently.
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    rewriteTrips(day -> day >= 5 && day <= 7 ? null : 1L, true);

    Run dryRun = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-05", "--stop-time", "2024-01-08");
    assertThat(dryRun.out()).contains("replaces              9 offline rows of 3 keys in the range now");

    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-05", "--stop-time", "2024-01-08");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.out()).isEmpty();
    List<String> errors = run.err().lines().filter(line -> line.startsWith("error: ")).toList();
    assertThat(errors).singleElement().asString()
        .matches("error: backfill job bf-\\S+ of feature set 'driver_trips' has no new row for "
            + "\\[2024-01-05T00:00:00Z, 2024-01-08T00:00:00Z\\) \\(0 rows read from the source\\), so its commit would "
            + "delete 9 offline rows of 3 keys in that range and write none; standard input is not a terminal, so confirm "
            + "with --yes \\(nothing was changed\\)");
    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out()).contains("CANCELLED");

    Run confirmed = cli.run("features", "backfill", "--yes", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-05", "--stop-time", "2024-01-08");
    assertThat(confirmed.exitCode()).as(confirmed.err()).isZero();
    assertThat(confirmed.out()).contains("rows written          0").contains("offline rows deleted  9");
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).hasSize(51);
  }

  @Test
  void aBackfillThatWouldOnlyDeleteAsksOnATerminalAndOnlyYesGoesAhead() throws IOException {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    rewriteTrips(day -> day >= 5 && day <= 7 ? null : 1L, true);

    Run declined = cli.command().answering("n").run("features", "backfill", "--environment", "local",
        "--name", "driver_trips", "--start-time", "2024-01-05", "--stop-time", "2024-01-08");
    assertThat(declined.exitCode()).as(declined.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(declined.err()).contains("so its commit would delete 9 offline rows of 3 keys in that range and write none. Continue? [y/N]")
        .contains("error: backfill of feature set 'driver_trips' that would only delete was not confirmed")
        .contains("nothing was changed");
    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);

    Run confirmed = cli.command().answering("y").run("features", "backfill", "--environment", "local",
        "--name", "driver_trips", "--start-time", "2024-01-05", "--stop-time", "2024-01-08");
    assertThat(confirmed.exitCode()).as(confirmed.err()).isZero();
    assertThat(confirmed.out()).contains("offline rows deleted  9");
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).hasSize(51).noneMatch(BackfillCommandTest::inDays5To7);

    // A backfill that writes rows is never asked about.
    rewriteTrips(day -> 5L, false);
    Run writes = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-05", "--stop-time", "2024-01-08");
    assertThat(writes.exitCode()).as(writes.err()).isZero();
    assertThat(writes.err()).doesNotContain("Continue?");
  }

  @Test
  void ctrlCWhileTheDeletionQuestionWaitsCancelsTheJobAtOnce() throws Exception {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    rewriteTrips(day -> day >= 5 && day <= 7 ? null : 1L, true);

    CliHarness.Command command = cli.command().neverAnswering();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill",
        "--environment", "local", "--name", "driver_trips", "--start-time", "2024-01-05", "--stop-time", "2024-01-08"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!command.errSoFar().contains("Continue? [y/N]")) {
      assertThat(running).as("the command ended before it asked: %s", command.errSoFar()).isNotDone();
      assertThat(System.nanoTime()).as("the question comes within a minute").isLessThan(deadline);
      Thread.sleep(20);
    }
    command.interruptions().interrupt();
    Run run = running.get(60, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).contains("interrupted: cancelling backfill job")
        .containsPattern("backfill job bf-\\S+ of driver_trips was cancelled before its offline commit; neither store was changed");
    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);
  }

  @Test
  void aStartInYearOneIsPlannedOnRoundTimesAndRunsAndYearZeroIsRefused() {
    // Issue 10 point 11: the dry run's slices were not on round times and the job failed with
    // "ArithmeticException: long overflow".
    Run dryRun = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--name", "driver_trips",
        "--start-time", "0001-01-01", "--stop-time", "2024-02-01");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out().lines().skip(6).map(String::trim).toList()).containsExactly(
        "[0001-01-01T00:00:00Z, 1000-01-01T00:00:00Z)", "[1000-01-01T00:00:00Z, 2000-01-01T00:00:00Z)",
        "[2000-01-01T00:00:00Z, 2024-02-01T00:00:00Z)");

    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--start-time", "0001-01-01", "--stop-time", "2024-02-01");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("[0001-01-01T00:00:00Z, 2024-02-01T00:00:00Z)").contains("rows written          60");

    assertUsageError(List.of("--start-time", "0000-12-31"), "error: Invalid value for option '--start-time': time "
        + "'0000-12-31' is outside the supported range [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)", "");
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).hasSize(60);
  }

  @Test
  void aStopInTheFutureIsRoundedDownToNowAndSaysSo() {
    Instant before = Instant.now();
    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2999-01-01");

    assertThat(run.exitCode()).isZero();
    // Issue 11 point 14: the note showed nanoseconds and another stop than the job used (the job
    // resolved "now" again). One stop, shown once, to the second, everywhere.
    Matcher note = Pattern.compile("note: --stop-time 2999-01-01T00:00:00Z is in the future; rounded down to now, "
        + "(\\S+), the stop this backfill uses\n").matcher(run.err());
    assertThat(note.find()).as(run.err()).isTrue();
    assertThat(run.err().split("is in the future", -1)).as("one note").hasSize(2);
    String used = note.group(1);
    assertThat(used).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    String range = "[2024-01-01T00:00:00Z, " + used + ")";
    assertThat(run.err()).contains("started: " + range + ", ");
    assertThat(run.out()).contains("range                 " + range + "\n");
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out()).contains(range);
    assertThat(Instant.parse(used)).isBetween(before.minusSeconds(1), Instant.now());
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).hasSize(60);

    Run dryRun = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2999-01-01");
    assertThat(dryRun.out()).containsPattern("range                 \\[2024-01-01T00:00:00Z, \\d{4}-\\d\\d-\\d\\dT\\d\\d:"
        + "\\d\\d:\\d\\dZ\\) \\(stop rounded down to now\\)\n");
  }

  @Test
  void everyUsageErrorExitsWithTwoAndOneLineNamingTheValueAndTheValidForms() throws IOException {
    load();
    StoreContents before = cli.contents("driver_trips", DRIVERS);
    assertUsageError(List.of("--start-time", "2024-13-01"),
        "error: Invalid value for option '--start-time': invalid time '2024-13-01'", "yyyy-MM-dd HH:mm:ss (UTC)");
    assertUsageError(List.of("--stop-time", "yesterday"), "'yesterday'", "yyyy-MM-dd'T'HH:mm:ss");
    assertUsageError(List.of("--cluster-template", "huge"),
        "error: Invalid value for option '--cluster-template': unknown cluster template 'huge'", "SMALL, MEDIUM, LARGE, XLARGE");
    assertUsageError(List.of("--start-time", "2024-01-10", "--stop-time", "2024-01-10"),
        "start 2024-01-10T00:00:00Z must be before stop 2024-01-10T00:00:00Z", "");
    assertUsageError(List.of("--bogus"), "error: Unknown option: '--bogus'", "see 'backfill features backfill --help'");
    assertUsageError(List.of("--progress-interval", "0"), "--progress-interval must be a positive number", "");

    Run unknownEnvironment = cli.run("features", "backfill", "--environment", "prod", "--name", "driver_trips");
    assertOneLineUsageError(unknownEnvironment, "error: unknown environment 'prod'; environments in backfill.yaml: local");
    Run unknownFeatureSet = cli.run("features", "backfill", "--environment", "local", "--name", "rides");
    assertOneLineUsageError(unknownFeatureSet,
        "error: unknown feature set 'rides'; feature sets in backfill.yaml: driver_trips, broken_trips, slow_counter");
    Run missing = cli.run("features", "backfill", "--environment", "local");
    assertOneLineUsageError(missing, "error: Missing required option: '--feature-set=NAME'");
    Files.writeString(folder.resolve("bad.yaml"), CliHarness.CONFIG.replace("trips: long", "trips: int"));
    Run badConfig = cli.run("--config", "bad.yaml", "features", "backfill", "--environment", "local", "--name", "driver_trips");
    assertOneLineUsageError(badConfig,
        "error: bad.yaml:10: feature-sets.driver_trips.features.trips: 'int' is not a column type; valid types: string, long,");
    Files.writeString(folder.resolve("typo.yaml"), CliHarness.CONFIG.replace("type: csv, path: trips.csv", "type: csv, file: trips.csv"));
    Run badOption = cli.command().withVariable("BACKFILL_CONFIG", "typo.yaml")
        .run("features", "backfill", "--environment", "local", "--name", "driver_trips");
    assertOneLineUsageError(badOption, "error: typo.yaml:11: feature-sets.driver_trips.source: data source 'csv': ");

    assertThat(cli.contents("driver_trips", DRIVERS)).isEqualTo(before);
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out().lines()).hasSize(2);
  }

  @Test
  void aFailedJobExitsWithOneAndChangesNothing() {
    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "broken_trips", "--stop-time", "2024-02-01");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).containsPattern("error: backfill job bf-\\S+ of broken_trips failed: .*driver");
    assertThat(run.out()).isEmpty();
    assertThat(cli.contents("broken_trips", DRIVERS).offline()).isEmpty();
    assertThat(cli.run("features", "list-backfills", "--environment", "local", "--name", "broken_trips").out())
        .contains("FAILED");
  }

  @Test
  void anInterruptionCancelsTheJobBeforeItsCommitAndChangesNothing() throws Exception {
    assertThat(cli.run("features", "backfill", "--environment", "local", "--name", "slow_counter",
        "--stop-time", "2024-01-01T01:00:00").exitCode()).isZero();
    StoreContents before = cli.contents("slow_counter", COUNTER_KEYS);
    assertThat(before.offline()).hasSize(180);

    CliHarness.Command command = cli.command();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill", "--reset",
        "--yes", "--environment", "local", "--name", "slow_counter", "--stop-time", "2024-01-15"));
    awaitArmed(command, running);
    command.interruptions().interrupt();
    Run run = running.get(60, TimeUnit.SECONDS);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).contains("interrupted: cancelling backfill job")
        .containsPattern("backfill job bf-\\S+ of slow_counter was cancelled before its offline commit; neither store was changed");
    assertThat(cli.contents("slow_counter", COUNTER_KEYS)).isEqualTo(before);
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out()).contains("CANCELLED");
  }

  @Test
  void theWorkersShownAreThoseTheJobUsesAndSayWhyTheyAreFewerThanTheTemplateAsks() {
    // Issue 11 point 15: XLARGE showed "(16 workers)" on a 2-core machine. Three minutes: three slices.
    int cores = Runtime.getRuntime().availableProcessors();
    int used = Math.min(cores, 3);
    List<String> why = new java.util.ArrayList<>();
    if (cores == used) {
      why.add("this machine has " + cores + (cores == 1 ? " core" : " cores"));
    }
    if (used == 3) {
      why.add("the plan has 3 slices");
    }
    String expected = "XLARGE, " + used + (used == 1 ? " worker" : " workers") + " (XLARGE asks 16; "
        + String.join(" and ", why) + ")";

    Run dryRun = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2024-01-01T00:03:00", "--cluster-template", "xlarge");
    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2024-01-01T00:03:00", "--cluster-template", "xlarge");

    assertThat(dryRun.out()).contains("cluster template      " + expected + "\n").contains("slices                3\n");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("started: [2024-01-01T00:00:00Z, 2024-01-01T00:03:00Z), 3 slices, " + expected + "\n");
  }

  @Test
  void aTransformThatIsNotThreadSafeRunsOnOneWorkerAndTheReasonIsShown() {
    java.util.List<dev.backfill.api.TimeRange> slices = java.util.stream.IntStream.range(0, 3)
        .mapToObj(i -> dev.backfill.api.TimeRange.of(Instant.EPOCH.plusSeconds(i), Instant.EPOCH.plusSeconds(i + 1)))
        .toList();
    dev.backfill.api.BackfillPlan plan = new dev.backfill.api.BackfillPlan("f", dev.backfill.api.TimeRange.of(
        Instant.EPOCH, Instant.EPOCH.plusSeconds(3)), false, false, dev.backfill.api.ClusterTemplate.LARGE, slices,
        java.util.Optional.empty());

    assertThat(Reports.workers(plan, false)).isEqualTo("LARGE, 1 worker (LARGE asks 8; its transform is not "
        + "thread-safe, so its slices run one after the other)");
  }

  /**
   * How a plan of many slices states its template on this machine: the workers it gets and, when
   * fewer than the template asks, that the machine's cores are why (issue 11 point 15).
   */
  private static String workers(String template, int asks) {
    int cores = Runtime.getRuntime().availableProcessors();
    return cores >= asks ? template + ", " + asks + " workers"
        : template + ", " + cores + (cores == 1 ? " worker" : " workers") + " (" + template + " asks " + asks
            + "; this machine has " + cores + (cores == 1 ? " core)" : " cores)");
  }

  @Test
  void aSecondCommandOnABusyEnvironmentExitsWithThreeNamingTheRunningJob() throws Exception {
    CliHarness.Command command = cli.command();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill",
        "--environment", "local", "--name", "slow_counter", "--stop-time", "2024-01-15"));
    awaitArmed(command, running);
    Matcher job = JOB_ID.matcher(command.errSoFar());
    assertThat(job.find()).isTrue();

    Run second = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips");
    Run repair = cli.run("features", "repair-online", "--environment", "local", "--name", "driver_trips");
    // A listing only reads the job history (issue 11 point 1): it runs beside the backfill and
    // shows what the backfill recorded, its stage included.
    Run listing = cli.run("features", "list-backfills", "--environment", "local");

    command.interruptions().interrupt();
    assertThat(running.get(60, TimeUnit.SECONDS).exitCode()).isEqualTo(ExitCodes.FAILED);
    for (Run busy : List.of(second, repair)) {
      assertThat(busy.exitCode()).isEqualTo(ExitCodes.CONFLICT);
      assertThat(busy.err().lines()).singleElement().asString()
          .startsWith("error: environment 'local' is in use by process " + ProcessHandle.current().pid())
          .contains("job " + job.group() + " of slow_counter").contains("wait for it to finish");
    }
    assertThat(listing.exitCode()).as(listing.err()).isZero();
    assertThat(listing.out().lines().toList()).hasSize(2).last().asString().startsWith(job.group())
        .contains("slow_counter", "RUNNING (reading)");
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).isEmpty();
  }

  @Test
  void progressIsPlainPeriodicLinesWhenStandardErrorIsNotATerminal() {
    Run run = cli.run("features", "backfill", "--environment", "local", "--name", "slow_counter",
        "--stop-time", "2024-01-01T12:00:00", "--progress-interval", "0.1");

    assertThat(run.exitCode()).isZero();
    List<String> progress = run.err().lines().filter(line -> line.startsWith("progress: ")).toList();
    assertThat(progress).hasSizeGreaterThanOrEqualTo(3);
    assertThat(progress.get(0)).matches("progress: reading: \\d+/12 slices, [\\d,]+ rows read, [\\d,]+ written, [\\d,]+ "
        + "rows/s, \\d+:\\d\\d elapsed");
    assertThat(progress.get(progress.size() - 1)).matches("progress: finished: 12/12 slices, 2,160 rows read, 2,160 "
        + "written, 3/3 online keys checked, [\\d,]+ rows/s, \\d+:\\d\\d elapsed");
    assertThat(run.err()).doesNotContain("\r").doesNotContain("\u001b").doesNotContain("#");
  }

  @Test
  void progressIsABarRedrawnInPlaceOnATerminal() {
    Run run = cli.command().onTerminal().run("features", "backfill", "--environment", "local", "--name",
        "slow_counter", "--stop-time", "2024-01-01T12:00:00");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).contains("\r[").contains("[########################] finished: 12/12 slices, 2,160 rows read")
        .doesNotContain("progress: ");
  }

  @Test
  void theHistoryListsJobsNewestFirstAndShowsEachJob() throws Exception {
    Run first = cli.run("features", "backfill", "--reset", "--yes", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2024-02-01", "--comment", "first load");
    Thread.sleep(1100);
    Run second = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--start-time", "2024-01-10", "--stop-time", "2024-01-12", "--comment", "second, a repair");
    cli.run("features", "backfill", "--environment", "local", "--name", "broken_trips", "--stop-time", "2024-02-01");
    String firstId = jobId(first.err());
    String secondId = jobId(second.err());

    Run all = cli.run("features", "list-backfills", "--environment", "local");
    assertThat(all.exitCode()).isZero();
    List<String> lines = all.out().lines().toList();
    assertThat(lines.get(0)).startsWith("JOB").contains("FEATURE SET", "STATUS", "SUBMITTED", "RANGE", "RESET", "COMMENT");
    assertThat(lines).hasSize(4);
    assertThat(lines.get(2)).startsWith(secondId).contains("driver_trips", "SUCCEEDED",
        "[2024-01-10T00:00:00Z, 2024-01-12T00:00:00Z)", "no", "6", "second, a repair");
    assertThat(lines.get(3)).startsWith(firstId).contains("SUCCEEDED", "yes", "60", "first load");
    assertThat(lines).anyMatch(line -> line.contains("broken_trips") && line.contains("FAILED"));

    Run filtered = cli.run("features", "list-backfills", "--environment", "local", "--feature-set", "driver_trips");
    assertThat(filtered.out().lines().skip(1).map(line -> line.substring(0, 27)).toList()).containsExactly(secondId, firstId);

    Run status = cli.run("features", "backfill-status", "--environment", "local", "--job", secondId);
    assertThat(status.exitCode()).isZero();
    assertThat(status.out()).startsWith("Backfill job " + secondId).contains("status                SUCCEEDED")
        .contains("comment               second, a repair").contains("rows written          6")
        .contains("offline rows deleted  6");
    Run unknown = cli.run("features", "backfill-status", "--environment", "local", "--job", "bf-nope");
    assertOneLineUsageError(unknown, "error: unknown job 'bf-nope' in environment local");

    Run list = cli.run("features", "list", "--environment", "local");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out().lines().toList()).hasSize(4).anySatisfy(line -> assertThat(line).startsWith("driver_trips")
        .contains("driver:string", "day", "trips:long", "csv", "identity", "2024-01-01T00:00:00Z", "SMALL", secondId + " SUCCEEDED"));
  }

  @Test
  void everyCommandHasHelpAndTheRootHasAVersion() {
    for (List<String> command : List.<List<String>>of(List.of(), List.of("features"), List.of("features", "backfill"),
        List.of("features", "list"), List.of("features", "list-backfills"), List.of("features", "backfill-status"))) {
      String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help")).toArray(String[]::new);
      Run help = cli.run(args);
      assertThat(help.exitCode()).as("%s --help", command).isZero();
      assertThat(help.out()).startsWith("Usage: " + String.join(" ", java.util.stream.Stream.concat(
          java.util.stream.Stream.of("backfill"), command.stream()).toList()));
    }
    assertThat(cli.run("features", "backfill", "--help").out()).contains("--reset, --reset-backfill", "--start-time=T",
        "--stop-time=T", "--cluster-template=SIZE", "--comment=TEXT", "--environment=ENV", "--name, --feature-set=NAME",
        "--dry-run", "-y, --yes", "--config=FILE");
    Run version = cli.run("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("backfill 0.1.0-SNAPSHOT");
    Run bare = cli.run("features");
    assertOneLineUsageError(bare, "error: Missing command: use one of backfill, list, list-backfills, backfill-status");
  }

  @Test
  void verboseShowsTheEnginesLogLinesOnStandardError() {
    try {
      Run quiet = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips", "--stop-time", "2024-01-03");
      assertThat(quiet.err()).doesNotContain(" INFO ");
      Run verbose = cli.run("-v", "features", "backfill", "--environment", "local", "--name", "driver_trips",
          "--stop-time", "2024-01-05");
      assertThat(verbose.exitCode()).isZero();
      assertThat(verbose.err()).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO BackfillExecution: backfill bf-\\S+ of driver_trips started")
          .contains(" INFO BackfillExecution: ").doesNotContain(" DEBUG ");
      assertThat(verbose.out()).doesNotContain(" INFO ");
    } finally {
      CliLogging.configure(new java.io.PrintWriter(System.err, true), org.slf4j.event.Level.ERROR);
    }
  }

  private void load() {
    Run run = cli.run("features", "backfill", "--reset", "--yes", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2024-02-01");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  private void rewriteTrips(java.util.function.IntFunction<Long> tripsOfDay) throws IOException {
    rewriteTrips(tripsOfDay, false);
  }

  /** Rewrites the feed's trips by day; a null keeps the day's value, or with {@code dropNull} leaves the day out. */
  private void rewriteTrips(java.util.function.IntFunction<Long> tripsOfDay, boolean dropNull) throws IOException {
    StringBuilder trips = new StringBuilder("driver,day,trips\n");
    for (String line : CliHarness.tripLines()) {
      String[] parts = line.split(",");
      Long replaced = tripsOfDay.apply(Integer.parseInt(parts[1].substring(8)));
      if (replaced == null && dropNull) {
        continue;
      }
      trips.append(parts[0]).append(',').append(parts[1]).append(',').append(replaced == null ? parts[2] : replaced).append('\n');
    }
    Files.writeString(folder.resolve("trips.csv"), trips);
  }

  private static boolean inDays5To7(String row) {
    return row.contains("day=2024-01-05") || row.contains("day=2024-01-06") || row.contains("day=2024-01-07");
  }

  private void assertUsageError(List<String> extra, String expected, String alsoExpected) {
    List<String> args = new java.util.ArrayList<>(List.of("features", "backfill", "--environment", "local", "--name", "driver_trips"));
    args.addAll(extra);
    Run run = cli.run(args.toArray(String[]::new));
    assertOneLineUsageError(run, expected);
    assertThat(run.err()).contains(alsoExpected);
  }

  private static void assertOneLineUsageError(Run run, String expected) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).singleElement().asString().contains(expected);
  }

  private static void awaitArmed(CliHarness.Command command, CompletableFuture<Run> running) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!command.interruptions().armed()) {
      assertThat(running).as("the command ended before its job started: %s", command.errSoFar()).isNotDone();
      assertThat(System.nanoTime()).as("the job starts within a minute").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String jobId(String text) {
    Matcher matcher = JOB_ID.matcher(text);
    assertThat(matcher.find()).as(text).isTrue();
    return matcher.group();
  }
}
