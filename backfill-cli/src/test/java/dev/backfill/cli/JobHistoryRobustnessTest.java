package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import dev.backfill.cli.CliHarness.StoreContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands over a job history that is damaged or becomes unwritable. Before, one stray
 * {@code {}} file made every command fail with a NullPointerException, an empty or truncated one
 * blocked every command, and a job whose history became unwritable exited 0 and was marked
 * SUCCEEDED with 0 rows by the next command.
 */
class JobHistoryRobustnessTest {
  private static final Pattern JOB_ID = Pattern.compile("bf-\\d{8}-\\d{6}-[0-9a-f]{8}");

  @TempDir Path folder;
  private CliHarness cli;
  private Path jobs;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(folder);
    jobs = folder.resolve("data/jobs");
  }

  @Test
  void filesThatHoldNoJobAreSetAsideWithAnErrorNamingEachAndEveryCommandGoesOn() throws Exception {
    Run load = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(load.exitCode()).as(load.err()).isZero();
    Files.writeString(jobs.resolve("stray.json"), "{}");
    Files.writeString(jobs.resolve("bf-20240101-000000-00000000.json"), "");
    Files.writeString(jobs.resolve("bf-20240101-000000-11111111.json"), "{\"version\" : 1, \"id\" : \"bf-2024");

    // A listing only reads the history (issue 11 point 1): it skips the bad files and names each;
    // the next command that opens the environment for writing sets them aside.
    Run listing = cli.run("features", "list-backfills", "--environment", "local");

    assertThat(listing.exitCode()).as(listing.err()).isZero();
    assertThat(listing.out()).contains(jobId(load.err())).contains("SUCCEEDED");
    assertThat(listing.err().lines()).hasSize(3).allSatisfy(line -> assertThat(line).contains("ERROR")
        .contains("skipped").contains("it is not a valid job record"));
    assertThat(listing.err()).contains("skipped stray.json: it is not a valid job record")
        .contains("sets it aside as stray.json.bad");
    assertThat(jobs.resolve("stray.json")).hasContent("{}");

    Run writer = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(writer.exitCode()).as(writer.err()).isZero();
    assertThat(writer.err().lines().filter(line -> line.contains("ERROR")).toList()).hasSize(3)
        .allSatisfy(line -> assertThat(line).contains("set aside").contains("it is not a valid job record"));
    assertThat(writer.err()).contains("set aside stray.json as stray.json.bad")
        .contains("set aside bf-20240101-000000-00000000.json as bf-20240101-000000-00000000.json.bad")
        .contains("set aside bf-20240101-000000-11111111.json as bf-20240101-000000-11111111.json.bad");
    assertThat(jobs.resolve("stray.json.bad")).hasContent("{}");

    Run again = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.err()).doesNotContain("set aside");
    assertThat(cli.run("features", "list-backfills", "--environment", "local").err()).doesNotContain("skipped");
  }

  @Test
  void aJobWhoseHistoryBecomesUnwritableFailsChangesNothingAndIsNeverMarkedSucceeded() throws Exception {
    // Root ignores a read-only directory, so the folder is replaced by a file: every write into
    // it then fails for real ("Not a directory").
    assertThat(cli.run("features", "backfill", "--environment", "local", "--name", "slow_counter",
        "--stop-time", "2024-01-01T01:00:00").exitCode()).isZero();
    StoreContents before = cli.contents("slow_counter", List.of("k0", "k1", "k2"));
    CliHarness.Command command = cli.command();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill",
        "--environment", "local", "--name", "slow_counter", "--stop-time", "2024-01-03"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!command.interruptions().armed()) {
      assertThat(running).as("the command ended before its job started: %s", command.errSoFar()).isNotDone();
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }
    Path aside = folder.resolve("data/jobs-aside");
    Files.move(jobs, aside);
    Files.writeString(jobs, "not a directory");

    Run run = running.get(120, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).containsPattern("error: backfill job bf-\\S+ of slow_counter failed: feature set 'slow_counter': job history .*"
        + "cannot write bf-\\S+\\.json.*nothing was changed in either store");
    assertThat(run.out()).isEmpty();
    Files.delete(jobs);
    Files.move(aside, jobs);
    assertThat(cli.contents("slow_counter", List.of("k0", "k1", "k2"))).isEqualTo(before);
    // backfill-status reads the history alone (issue 11 point 1): the job's record still says
    // running, so it is shown as stopped and not yet settled; the next command that opens the
    // environment settles it FAILED from the offline store, which has no commit of it.
    Run stopped = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId(run.err()));
    assertThat(stopped.out()).contains("status                STOPPED, TO BE SETTLED: the process running it stopped "
        + "before recording an offline commit").doesNotContain("SUCCEEDED");
    assertThat(cli.run("features", "repair-online", "--environment", "local", "--feature-set", "slow_counter")
        .exitCode()).isZero();
    Run status = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId(run.err()));
    assertThat(status.out()).contains("status                FAILED").doesNotContain("SUCCEEDED");
  }

  private static String jobId(String text) {
    Matcher matcher = JOB_ID.matcher(text);
    assertThat(matcher.find()).as(text).isTrue();
    return matcher.group();
  }
}
