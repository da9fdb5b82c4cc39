package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.cli.CliHarness.Run;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on an environment whose job history is {@code jdbc} (PostgreSQL on 127.0.0.1):
 * a backfill runs in a child JVM, and this process watches it, collides with it and cancels it
 * through the history. The environment's stores are the testkit's in-memory ones (each process
 * has its own): only the history is shared, which is what these commands use.
 */
class SharedJobHistoryCommandsTest {
  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String SCHEMA = "h14_cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @TempDir Path folder;

  @BeforeAll
  static void noSchemaYet() {
    // the history creates its schema on first use
  }

  @AfterAll
  static void dropSchema() throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS \"" + SCHEMA + "\" CASCADE");
    }
  }

  private static String environment(String name, String history) {
    return "  " + name + ":\n"
        + "    offline-store: {type: memory}\n"
        + "    online-store: {type: memory}\n"
        + "    job-history: " + history + "\n";
  }

  private CliHarness harness() throws Exception {
    CliHarness cli = new CliHarness(folder);
    String shared = environment("shared", "{type: jdbc, url: \"" + URL + "\", user: postgres, schema: " + SCHEMA
        + ", lease: PT5S}");
    String down = environment("down", "{type: jdbc, url: \"jdbc:postgresql://127.0.0.1:1/test\", user: postgres}");
    String noUrl = environment("nourl", "{type: jdbc, user: postgres}");
    String slowShared = """
          slow_shared:
            keys: {id: string}
            event-time: ts
            features: {value: long}
            source: {type: slow, keys: 3, micros-per-row: 20000}
            backfill-start: 2024-01-01
        """;
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG.replace("feature-sets:\n",
        shared + down + noUrl + "feature-sets:\n" + slowShared));
    return cli;
  }

  @Test
  void aBackfillOfAnotherProcessIsWatchedCollidedWithAndCancelledThroughTheHistory() throws Exception {
    CliHarness cli = harness();
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BackfillCli.class.getName(), "features", "backfill",
        "--environment", "shared", "--feature-set", "slow_shared", "--start-time", "2024-01-01",
        "--stop-time", "2024-01-03").directory(folder.toFile()).redirectErrorStream(true).start();
    List<String> childLines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          childLines.add(line);
        }
      } catch (java.io.IOException ignored) {
        // the child ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      child.getOutputStream().close();
      String job = awaitRunningJob();

      Run list = cli.run("features", "list-backfills", "--environment", "shared");
      assertThat(list.exitCode()).as("out: %s err: %s", list.out(), list.err()).isEqualTo(0);
      assertThat(list.out()).contains(job).contains("RUNNING");

      Run overlapping = cli.run("features", "backfill", "--environment", "shared", "--feature-set", "slow_shared",
          "--start-time", "2024-01-02", "--stop-time", "2024-01-04");
      assertThat(overlapping.exitCode()).isEqualTo(ExitCodes.CONFLICT);
      assertThat(overlapping.err()).contains("backfill job " + job + " is running on host ")
          .contains(", process " + child.pid() + " over ");

      CompletableFuture<Run> watching = CompletableFuture.supplyAsync(() -> cli.run("features", "backfill-status",
          "--environment", "shared", "--job", job, "--watch", "--interval", "0.2"));
      Thread.sleep(1500);
      Run cancel = cli.run("features", "cancel", "--environment", "shared", "--job", job);
      assertThat(cancel.exitCode()).as(cancel.err()).isEqualTo(0);
      assertThat(cancel.out()).isEqualTo("backfill job " + job + " was cancelled by the process running it; neither "
          + "store was changed\n");

      Run watched = watching.get(60, TimeUnit.SECONDS);
      assertThat(watched.exitCode()).isEqualTo(0);
      assertThat(watched.err()).contains("watching " + job + ": RUNNING (reading): ");
      assertThat(watched.err()).containsPattern("watching " + job + ": RUNNING \\(reading\\): \\d+/\\d+ slices, "
          + "[1-9][0-9,]* rows read");
      assertThat(watched.out()).contains("Backfill job " + job).containsPattern("status +CANCELLED");

      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(String.join("\n", childLines)).isEqualTo(ExitCodes.FAILED);

      Run again = cli.run("features", "cancel", "--environment", "shared", "--job", job);
      assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
      assertThat(again.out()).isEqualTo("backfill job " + job + " has already finished (CANCELLED); nothing to cancel\n");
      Run unknown = cli.run("features", "cancel", "--environment", "shared", "--job", "bf-nope");
      assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(unknown.err()).contains("unknown job 'bf-nope' in environment shared");
    } finally {
      child.destroyForcibly();
    }
  }

  private String awaitRunningJob() throws InterruptedException {
    Map<String, String> options = Map.of("url", URL, "user", "postgres", "schema", SCHEMA);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        List<BackfillJob> jobs = JobHistorySnapshot.read("jdbc", options).jobs("slow_shared");
        if (!jobs.isEmpty() && jobs.get(0).progress().rowsRead() > 0) {
          return jobs.get(0).id();
        }
      } catch (RuntimeException notYet) {
        // the child has not created the history's tables yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the child's backfill did not publish progress within 60 s");
  }

  @Test
  void anUnreachableHistoryIsOneLineAndAMissingUrlIsAConfigurationErrorAtItsLine() throws Exception {
    CliHarness cli = harness();
    Run down = cli.run("features", "list-backfills", "--environment", "down");
    assertThat(down.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(down.err().strip()).startsWith("error: job history on PostgreSQL at 127.0.0.1:1, database 'test': ")
        .doesNotContain("\n");

    Run noUrl = cli.run("features", "backfill", "--environment", "nourl", "--feature-set", "driver_trips");
    assertThat(noUrl.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noUrl.err()).containsPattern("backfill.yaml:\\d+: .*job history 'jdbc': option 'url' is required");
  }
}
