package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 points 1 and 16: a command killed after its offline commit (a child JVM halted there,
 * as kill -9 would) leaves a job whose online update is pending. Before, the next command, even
 * {@code list-backfills}, recovered it first and printed nothing for minutes, and a Ctrl-C during
 * that recovery made the next command start it again from zero; the recovered job's elapsed time
 * was the time since its submission.
 */
class RecoveryCommandTest {
  private static final int KEYS = 10_000;
  private static final Pattern JOB_ID = Pattern.compile("bf-\\d{8}-\\d{6}-[0-9a-f]{8}");
  private static final String CONFIG = """
      environments:
        local:
          offline-store: {type: duckdb, path: data/offline.duckdb}
          online-store: {type: rocksdb, path: data/online}
          job-history: data/jobs
      """ + CliHarness.gatedEnvironment("halting", "halt-at-online-update") + CliHarness.gatedEnvironment("gated", "latest")
      + "feature-sets:\n" + CliHarness.MANY_KEYS;

  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliHarness(folder, false);
    Files.writeString(folder.resolve("backfill.yaml"), CONFIG);
    cli.writeManyKeys(KEYS);
    GatedOfflineStoreProvider.reset();
  }

  @Test
  void aJobKilledAfterItsCommitIsListedAtOnceAndItsRecoveryIsShownStoppedByCtrlCAndResumed() throws Exception {
    String jobId = runChildHaltedAfterItsCommit();
    Path record = folder.resolve("data/jobs/" + jobId + ".json");
    // Submitted a day earlier, as if the process had died a day before anyone looked: the elapsed
    // time of the recovered job must still be its own run time.
    String json = Files.readString(record);
    Matcher submitted = Pattern.compile("\"submittedAt\" : \"([^\"]+)\"").matcher(json);
    assertThat(submitted.find()).isTrue();
    Files.writeString(record, submitted.replaceFirst("\"submittedAt\" : \""
        + Instant.parse(submitted.group(1)).minus(Duration.ofDays(1)) + "\""));
    String pending = Files.readString(record);

    long start = System.nanoTime();
    Run listing = cli.run("features", "list-backfills", "--environment", "local");
    Run status = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId);
    Run list = cli.run("features", "list", "--environment", "local");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("read without recovering").isLessThan(Duration.ofSeconds(20));
    assertThat(listing.exitCode()).as(listing.err()).isZero();
    assertThat(listing.out().lines().toList()).hasSize(2).last().asString().startsWith(jobId)
        .contains("COMMITTED, ONLINE UPDATE PENDING");
    assertThat(listing.err().lines()).singleElement().asString().isEqualTo("note: backfill job " + jobId + " of many_keys"
        + " is COMMITTED, ONLINE UPDATE PENDING: its offline commit is done and the process running it stopped before "
        + "the online update; the next backfill, repair-online or drop on this environment finishes the online update "
        + "first");
    assertThat(status.out()).contains("status                COMMITTED, ONLINE UPDATE PENDING: its offline commit is done");
    assertThat(list.out()).contains(jobId + " COMMITTED, ONLINE UPDATE PENDING");
    assertThat(Files.readString(record)).as("nothing recovered or written by a command that reads").isEqualTo(pending);

    // A command that writes recovers first, and says so; Ctrl-C stops it after the batch it is in.
    CliHarness.Command recovering = cli.command();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> recovering.run("features", "backfill",
        "--dry-run", "--environment", "gated", "--feature-set", "many_keys", "--progress-interval", "0.1"));
    assertThat(GatedOfflineStoreProvider.holding().await(60, TimeUnit.SECONDS))
        .as("the recovery reaches its second batch: %s", recovering.errSoFar()).isTrue();
    assertThat(recovering.errSoFar()).contains("recovering backfill job " + jobId + " of many_keys "
        + "[2024-01-01T00:00:00Z, 2024-01-02T00:00:00Z): its offline commit is done and its process stopped before "
        + "the online update; reconciling 10,000 keys\n");
    Run duringRecovery = cli.run("features", "list-backfills", "--environment", "local");
    assertThat(duringRecovery.exitCode()).as(duringRecovery.err()).isZero();
    assertThat(duringRecovery.out()).contains(jobId).contains("RUNNING (recovering, ");
    recovering.interruptions().interrupt();
    GatedOfflineStoreProvider.release();
    Run interrupted = running.get(60, TimeUnit.SECONDS);

    assertThat(interrupted.exitCode()).as(interrupted.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(interrupted.out()).isEmpty();
    // The gate holds the read of the second batch, which the reconciler reads ahead while it
    // writes the first: the interrupt lands while the first batch is written or just after, so
    // the recovery stops after the first or the second batch, never inside one.
    Matcher stoppedAfter = Pattern.compile("was interrupted after ([\\d,]+) of 10,000 keys").matcher(interrupted.err());
    assertThat(stoppedAfter.find()).as(interrupted.err()).isTrue();
    String done = stoppedAfter.group(1);
    assertThat(done).isIn("2,048", "4,096");
    assertThat(interrupted.err()).contains("interrupted: stopping the recovery after its current batch of keys")
        .contains("progress: recovering: " + done + "/10,000 keys reconciled")
        .contains("error: the recovery of backfill job " + jobId + " of many_keys was interrupted after " + done
            + " of 10,000 keys; how far it got is recorded, and a client built on the same job history and stores "
            + "resumes it");
    Run stopped = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId);
    assertThat(stopped.out()).contains("COMMITTED, ONLINE UPDATE PENDING").contains("resuming after the " + done
        + "/10,000 keys already reconciled");

    Run resumed = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--feature-set", "many_keys");
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("reconciling 10,000 keys, resuming after the " + done + " done before")
        .containsPattern("progress: recovered: 10,000/10,000 keys reconciled, \\d+:\\d\\d elapsed\n");
    assertThat(resumed.out()).startsWith("Dry run: backfill of many_keys");

    Run finished = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId);
    // Written across both recoveries, each key once: a recovery begun again from zero would
    // find the keys of the first recovery written already and count only the others.
    assertThat(finished.out()).contains("status                SUCCEEDED").contains("rows written          10,000")
        .contains("online keys written   10,000").contains("online keys deleted   0")
        .containsPattern("elapsed +[\\d.]+ m?s\n");
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add(key(i));
    }
    Map<String, String> online = cli.contents("many_keys", keys).online();
    assertThat(online).hasSize(KEYS);
    assertThat(online.get(key(0))).contains("value=0");
    assertThat(online.get(key(KEYS - 1))).contains("value=" + (KEYS - 1));
  }

  /** Runs the backfill in a child JVM that halts right after the offline commit; returns the job's id. */
  private String runChildHaltedAfterItsCommit() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BackfillCli.class.getName(), "features", "backfill",
        "--environment", "halting", "--feature-set", "many_keys", "--stop-time", "2024-01-02")
        .directory(folder.toFile()).redirectErrorStream(true).start();
    child.getOutputStream().close();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(output).isEqualTo(GatedOfflineStoreProvider.HALT_STATUS);
    Matcher job = JOB_ID.matcher(output);
    assertThat(job.find()).as(output).isTrue();
    return job.group();
  }

  private static String key(int i) {
    return CliHarness.manyKey(i);
  }
}
