package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Ctrl-C says once a job can no longer be cancelled, checked against the job's real state:
 * a DuckDB commit held open by the {@code gated-duckdb} test store, and an online update held
 * after it. Before, the command said "has committed its offline data" as soon as cancel() was
 * refused, while the commit still ran (26 s early on a large fast-path commit).
 */
class CommitInterruptionTest {
  private static final List<String> DRIVERS = List.of("ann", "bob", "cid");

  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliHarness(folder);
    String gated = "environments:\n" + CliHarness.gatedEnvironment("during-commit", "commit")
        + CliHarness.gatedEnvironment("during-online-update", "online-update");
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG.replace("environments:\n", gated));
    GatedOfflineStoreProvider.reset();
  }

  @Test
  void ctrlCDuringTheOfflineCommitSaysTheCommitIsRunningAndCannotBeCancelled() throws Exception {
    Run run = interruptHeldJob("during-commit");

    assertThat(run.err()).containsPattern("interrupted: backfill job bf-\\S+ is committing its offline data, which "
        + "cannot be cancelled \\(the commit completes or changes nothing\\); waiting for it, then for its online update")
        .doesNotContain("has committed");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(run.out()).contains("succeeded").contains("rows written          60");
    assertThat(cli.contents("driver_trips", DRIVERS).offline()).hasSize(60);
  }

  @Test
  void ctrlCDuringTheOnlineUpdateSaysTheOfflineCommitIsDone() throws Exception {
    Run run = interruptHeldJob("during-online-update");

    assertThat(run.err()).containsPattern("interrupted: backfill job bf-\\S+ has committed its offline data; "
        + "finishing its online update first").doesNotContain("is committing");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.SUCCESS);
    assertThat(cli.contents("driver_trips", DRIVERS).online()).hasSize(3);
  }

  /** Runs a backfill, interrupts it where the environment's store holds it, then lets it finish. */
  private Run interruptHeldJob(String environment) throws Exception {
    CliHarness.Command command = cli.command();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> command.run("features", "backfill",
        "--environment", environment, "--name", "driver_trips", "--stop-time", "2024-02-01"));
    assertThat(GatedOfflineStoreProvider.holding().await(60, TimeUnit.SECONDS))
        .as("the job reaches its hold point: %s", command.errSoFar()).isTrue();
    assertThat(command.interruptions().armed()).isTrue();

    command.interruptions().interrupt();
    String whileHeld = command.errSoFar();
    GatedOfflineStoreProvider.release();
    Run run = running.get(60, TimeUnit.SECONDS);

    assertThat(run.err()).startsWith(whileHeld);
    return run;
  }
}
