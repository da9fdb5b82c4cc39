package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 point 2: the progress display said "3/3 slices, 30,000,000 written" and then nothing
 * new for the 30 to 60 s of the commit and the online update. It now says the stage, on the bar
 * and in the plain lines, with the keys updated online of all. The {@code gated-duckdb} test
 * store holds a job in its commit, or after its first batch of online keys, while the test reads
 * what the command shows.
 */
class StageProgressTest {
  private static final int KEYS = 5_000;

  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliHarness(folder);
    cli.writeManyKeys(KEYS);
    String gated = "environments:\n" + CliHarness.gatedEnvironment("during-commit", "commit")
        + CliHarness.gatedEnvironment("during-online-update", "latest");
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG.replace("environments:\n", gated)
        .replace("feature-sets:\n", "feature-sets:\n" + CliHarness.MANY_KEYS));
    GatedOfflineStoreProvider.reset();
  }

  @Test
  void thePlainLinesSayTheJobIsCommittingWhileItsCommitRuns() throws Exception {
    CliHarness.Command command = cli.command();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill",
        "--environment", "during-commit", "--feature-set", "many_keys", "--stop-time", "2024-01-02",
        "--progress-interval", "0.05"));
    assertThat(GatedOfflineStoreProvider.holding().await(60, TimeUnit.SECONDS)).as(command.errSoFar()).isTrue();
    String held = awaitErr(command, err -> err.contains("progress: committing offline: "));
    GatedOfflineStoreProvider.release();
    Run run = running.get(60, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isZero();
    // Only the commit is held: the 5,000 rows may be read in less than one interval, so a
    // "reading" line is not certain here (BackfillCommandTest sees them with a slow source).
    assertThat(held).containsPattern("progress: committing offline: 4/4 slices, 5,000 rows read, 5,000 written, "
        + "\\d+:\\d\\d elapsed\n");
    assertThat(run.err()).containsPattern("progress: updating online keys [\\d,]+/5,000: 4/4 slices")
        .containsPattern("progress: finished: 4/4 slices, 5,000 rows read, 5,000 written, 5,000/5,000 online keys "
            + "checked, ");
  }

  @Test
  void theBarSaysTheOnlineUpdateAndFillsByKeysWhileItRuns() throws Exception {
    CliHarness.Command command = cli.command().onTerminal();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill",
        "--environment", "during-online-update", "--feature-set", "many_keys", "--stop-time", "2024-01-02"));
    assertThat(GatedOfflineStoreProvider.holding().await(60, TimeUnit.SECONDS)).as(command.errSoFar()).isTrue();
    // One batch of 2,048 keys of 5,000 is done: 10 of the bar's 24 marks.
    String held = awaitErr(command, err -> err.contains("updating online keys 2,048/5,000"));
    GatedOfflineStoreProvider.release();
    Run run = running.get(60, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(held).contains("\r[##########--------------] updating online keys 2,048/5,000: 4/4 slices, 5,000 rows read, "
        + "5,000 written, ");
    assertThat(run.err()).contains("[########################] finished: 4/4 slices, 5,000 rows read, 5,000 written, "
        + "5,000/5,000 online keys checked, ");
    assertThat(run.out()).contains("online keys written   5,000");
  }

  /** Waits until the command's standard error satisfies the condition; returns it then. */
  private static String awaitErr(CliHarness.Command command, Predicate<String> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.test(command.errSoFar())) {
      assertThat(System.nanoTime()).as("shown within 30 s: %s", command.errSoFar()).isLessThan(deadline);
      Thread.sleep(20);
    }
    return command.errSoFar();
  }
}
