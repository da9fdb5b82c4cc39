package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two environments of one file that share a store: a command on one, while a command of another
 * process runs on the other, is told which environment, process and job hold the store, with the
 * process id of the process that holds it (a child JVM here), and exits with 3.
 */
class SharedStoreTest {
  private static final String ENVIRONMENTS = """
        other:
          offline-store: {type: duckdb, path: data/offline.duckdb}
          online-store: {type: rocksdb, path: data/online-other}
          job-history: data/jobs-other
        third:
          offline-store: {type: duckdb, path: data/offline-third.duckdb}
          online-store: {type: rocksdb, path: data/online}
          job-history: data/jobs-third
      feature-sets:
      """;

  @TempDir Path folder;

  @Test
  void aStoreSharedWithABusyEnvironmentNamesThatEnvironmentItsProcessAndItsJob() throws Exception {
    CliHarness cli = new CliHarness(folder);
    Files.writeString(folder.resolve("backfill.yaml"), CliHarness.CONFIG.replace("feature-sets:\n", ENVIRONMENTS));
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BackfillCli.class.getName(), "features", "backfill",
        "--environment", "local", "--feature-set", "slow_counter", "--stop-time", "2024-01-20")
        .directory(folder.toFile()).redirectErrorStream(true).start();
    try {
      child.getOutputStream().close();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.contains(" started: ")) {
        lines.add(line);
      }
      assertThat(line).as("the child's job started: %s", lines).isNotNull();
      Matcher job = Pattern.compile("bf-\\d{8}-\\d{6}-[0-9a-f]{8}").matcher(line);
      assertThat(job.find()).isTrue();

      // Commands that open the stores (list and list-backfills read only the job history).
      Run offline = cli.run("features", "backfill", "--dry-run", "--environment", "other", "--feature-set", "driver_trips");
      Run online = cli.run("features", "repair-online", "--environment", "third", "--feature-set", "driver_trips");

      assertThat(offline.exitCode()).as(offline.err()).isEqualTo(ExitCodes.CONFLICT);
      assertThat(offline.err().lines()).singleElement().asString().startsWith("error: environment 'other' shares its "
          + "offline store '" + folder.resolve("data/offline.duckdb") + "' with environment 'local', which is in use by "
          + "process " + child.pid() + " ('backfill features backfill --feature-set slow_counter', job " + job.group()
          + " of slow_counter [2024-01-01T00:00:00Z, 2024-01-20T00:00:00Z), since ")
          .endsWith("; wait for it to finish (a duckdb offline store serves one process at a time)");
      assertThat(online.exitCode()).as(online.err()).isEqualTo(ExitCodes.CONFLICT);
      assertThat(online.err().lines()).singleElement().asString().startsWith("error: environment 'third' shares its "
          + "online store '" + folder.resolve("data/online") + "' with environment 'local', which is in use by process "
          + child.pid() + " ('backfill features backfill --feature-set slow_counter', job " + job.group());
    } finally {
      child.destroy();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    Run free = new CliHarness(folder, false).run("features", "backfill", "--dry-run", "--environment", "other",
        "--feature-set", "driver_trips");
    assertThat(free.exitCode()).as(free.err()).isZero();
  }
}
