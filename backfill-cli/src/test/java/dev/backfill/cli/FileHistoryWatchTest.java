package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.cli.CliHarness.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill on a {@code file} job history runs in a child JVM, which holds the environment; from
 * this process {@code backfill-status --watch} follows it through the directory (a read-only
 * view, never exit 3) with the progress the child publishes, and {@code cancel} says where the
 * job runs, since a file history carries no request between processes.
 */
class FileHistoryWatchTest {
  @TempDir Path folder;

  @Test
  void anotherProcessWatchesTheLiveProgressThroughTheDirectoryAndIsToldWhereToCancel() throws Exception {
    CliHarness cli = new CliHarness(folder);
    String environment = """
          watched:
            offline-store: {type: memory}
            online-store: {type: memory}
            job-history: data/jobs-watched
        feature-sets:
          slow_watched:
            keys: {id: string}
            event-time: ts
            features: {value: long}
            source: {type: slow, keys: 3, micros-per-row: 25000}
            backfill-start: 2024-01-01
        """;
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG.replace("feature-sets:\n", environment));
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BackfillCli.class.getName(), "features", "backfill",
        "--environment", "watched", "--feature-set", "slow_watched", "--start-time", "2024-01-01 00:00:00",
        "--stop-time", "2024-01-01 06:00:00").directory(folder.toFile()).redirectErrorStream(true)
        .redirectOutput(folder.resolve("child.log").toFile()).start();
    try {
      child.getOutputStream().close();
      String job = awaitJob(folder.resolve("data/jobs-watched"));

      Run cancel = cli.run("features", "cancel", "--environment", "watched", "--job", job);
      assertThat(cancel.exitCode()).isEqualTo(ExitCodes.FAILED);
      assertThat(cancel.err()).contains("backfill job " + job + " runs in process " + child.pid())
          .contains("a file job history carries no cancel request between processes");

      Run watched = cli.run("features", "backfill-status", "--environment", "watched", "--job", job, "--watch",
          "--interval", "0.2");
      assertThat(watched.exitCode()).as(watched.err()).isZero();
      assertThat(watched.err()).containsPattern("watching " + job + ": RUNNING \\(reading\\): \\d+/\\d+ slices, "
          + "[1-9][0-9,]* rows read");
      assertThat(watched.out()).contains("Backfill job " + job).containsPattern("status +SUCCEEDED");
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(Files.readString(folder.resolve("child.log"))).isZero();
    } finally {
      child.destroyForcibly();
    }
  }

  private static String awaitJob(Path directory) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      List<BackfillJob> jobs = JobHistorySnapshot.read(directory).jobs("slow_watched");
      if (!jobs.isEmpty() && jobs.get(0).status() == dev.backfill.api.BackfillStatus.RUNNING) {
        return jobs.get(0).id();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the child's backfill did not start within 60 s");
  }
}
