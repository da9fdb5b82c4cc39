package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.StoreContents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/backfill} run as a user runs it: a child process in a folder of its own, on the
 * packaged jar, with standard input and standard error pipes (not terminals). The test plugin
 * {@code slow} reaches it through {@code BACKFILL_CLASSPATH}, as a third-party plugin jar would.
 */
class LauncherIT {
  private static final Path REPOSITORY = Path.of(System.getProperty("backfill.repository", "..")).toAbsolutePath().normalize();
  private static final Path LAUNCHER = REPOSITORY.resolve("bin/backfill");
  private static final List<String> COUNTER_KEYS = List.of("k0", "k1", "k2");

  @TempDir Path folder;
  private CliHarness cli;

  /** A finished child process. */
  record Result(int exitCode, String out, String err) {}

  @BeforeEach
  void setUp() {
    cli = new CliHarness(folder);
  }

  @Test
  void aBackfillRunsFromTheLauncherWithPlainProgressLines() throws Exception {
    Result result = run("features", "backfill", "--reset", "--yes", "--environment", "local", "--feature-set",
        "driver_trips", "--stop-time", "2024-02-01", "--comment", "from the launcher");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("Backfill job bf-\\S+ of driver_trips succeeded").contains("rows written          60");
    assertThat(result.err()).containsPattern("backfill job bf-\\S+ of driver_trips started: ")
        .containsPattern("progress: finished: \\d+/\\d+ slices, 60 rows read, 60 written, 3/3 online keys checked")
        .doesNotContain("\r").doesNotContain("\u001b");
    assertThat(cli.contents("driver_trips", List.of("ann", "bob", "cid")).offline()).hasSize(60);

    Result listing = run("features", "list-backfills", "--environment", "local");
    assertThat(listing.exitCode()).isZero();
    assertThat(listing.out()).contains("driver_trips", "SUCCEEDED", "from the launcher");
  }

  @Test
  void aResetWithoutYesIsRefusedBecauseStandardInputIsAPipe() throws Exception {
    Result result = run("features", "backfill", "--reset", "--environment", "local", "--feature-set", "driver_trips");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err().lines()).singleElement().asString().contains("confirm with --yes");
    assertThat(cli.contents("driver_trips", List.of("ann")).offline()).isEmpty();
  }

  @Test
  void usageErrorsAndVersion() throws Exception {
    Result badTime = run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips",
        "--start-time", "01/02/2024");
    assertThat(badTime.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badTime.err().lines()).singleElement().asString().contains("'01/02/2024'").contains("yyyy-MM-dd");

    Result version = run("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("backfill 0.1.0-SNAPSHOT");
  }

  @Test
  void sigtermCancelsTheJobBeforeItsCommitAndASecondCommandMeetsAConflict() throws Exception {
    Result first = run("features", "backfill", "--environment", "local", "--feature-set", "slow_counter",
        "--stop-time", "2024-01-01T01:00:00");
    assertThat(first.exitCode()).as(first.err()).isZero();
    StoreContents before = cli.contents("slow_counter", COUNTER_KEYS);

    Process slow = start("features", "backfill", "--reset", "--yes", "--environment", "local", "--feature-set",
        "slow_counter", "--stop-time", "2024-01-20");
    CompletableFuture<String> slowOut = collect(slow.getInputStream());
    BufferedReader slowErr = new BufferedReader(new InputStreamReader(slow.getErrorStream(), StandardCharsets.UTF_8));
    List<String> errLines = new ArrayList<>();
    String line;
    while ((line = slowErr.readLine()) != null) {
      errLines.add(line);
      if (line.contains(" started: ")) {
        break;
      }
    }
    assertThat(errLines).as("the slow job started").last().asString().contains("slow_counter started: ");
    String jobId = errLines.get(errLines.size() - 1).split(" ")[2];

    Result conflict = run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips");
    assertThat(conflict.exitCode()).as(conflict.err()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(conflict.err().lines()).singleElement().asString()
        .contains("environment 'local' is in use by process " + slow.pid()).contains("job " + jobId + " of slow_counter");

    CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
      StringBuilder text = new StringBuilder();
      slowErr.lines().forEach(l -> text.append(l).append('\n'));
      return text.toString();
    });
    // SIGTERM takes the path of Ctrl-C (SIGINT), which a test cannot send: a process started in
    // the background of a non-interactive shell, as CI runs, inherits SIGINT ignored.
    assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(slow.pid())).start().waitFor()).isZero();
    assertThat(slow.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(slow.exitValue()).isEqualTo(ExitCodes.FAILED);
    assertThat(rest.get(10, TimeUnit.SECONDS)).contains("interrupted: cancelling backfill job " + jobId)
        .contains("was cancelled before its offline commit; neither store was changed");
    assertThat(slowOut.get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(cli.contents("slow_counter", COUNTER_KEYS)).isEqualTo(before);

    Result status = run("features", "backfill-status", "--environment", "local", "--job", jobId);
    assertThat(status.exitCode()).isZero();
    assertThat(status.out()).contains("status                CANCELLED");
  }

  /**
   * DuckDB's and RocksDB's native libraries are loaded from files next to the jar, extracted
   * once, and DuckDB's spill folder is only created when it spills: a command killed with
   * {@code kill -9} leaves nothing in the temporary folder, and a finished one removes the spill
   * folders that killed processes left.
   */
  @Test
  void aKilledCommandLeavesNothingInTheTemporaryFolder() throws Exception {
    Path temporary = Files.createDirectories(folder.resolve("tmp"));
    Path jarFolder = REPOSITORY.resolve("backfill-cli/target");
    Path leftover = Files.createDirectories(temporary.resolve("backfill-duckdb-4194999-1"));
    Files.writeString(leftover.resolve("spill.tmp"), "left by a killed process");

    Process slow = start(Map.of("BACKFILL_JAVA_OPTS", "-Djava.io.tmpdir=" + temporary), "features", "backfill",
        "--environment", "local", "--feature-set", "slow_counter", "--stop-time", "2024-01-20");
    BufferedReader err = new BufferedReader(new InputStreamReader(slow.getErrorStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = err.readLine()) != null && !line.contains(" started: ")) {
      // the job is running once it says so: both libraries are loaded and the stores are open
    }
    assertThat(line).as("the slow job started").isNotNull();
    List<String> mapped = Files.readAllLines(Path.of("/proc", Long.toString(slow.pid()), "maps")).stream()
        .filter(l -> l.contains("duckdb") || l.contains("rocksdb")).map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .distinct().toList();
    assertThat(new ProcessBuilder("kill", "-KILL", Long.toString(slow.pid())).start().waitFor()).isZero();
    assertThat(slow.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(mapped).as("the native libraries the killed process had loaded").containsExactlyInAnyOrder(
        jarFolder.resolve(NativeLibraries.duckDbLibraryName()).toString(),
        jarFolder.resolve(org.rocksdb.util.Environment.getJniLibraryFileName("rocksdbjni")).toString());
    try (var files = Files.list(temporary)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("backfill-duckdb-4194999-1");
    }
    java.nio.file.attribute.FileTime extracted = Files.getLastModifiedTime(jarFolder.resolve(NativeLibraries.duckDbLibraryName()));

    Result after = run(Map.of("BACKFILL_JAVA_OPTS", "-Djava.io.tmpdir=" + temporary), "features", "backfill",
        "--environment", "local", "--feature-set", "driver_trips", "--stop-time", "2024-02-01");
    assertThat(after.exitCode()).as(after.err()).isZero();
    try (var files = Files.list(temporary)) {
      assertThat(files.toList()).as("nothing left, the killed process's spill folder removed").isEmpty();
    }
    assertThat(Files.getLastModifiedTime(jarFolder.resolve(NativeLibraries.duckDbLibraryName())))
        .as("extracted once").isEqualTo(extracted);
  }

  private Result run(String... args) throws IOException, InterruptedException, java.util.concurrent.ExecutionException,
      java.util.concurrent.TimeoutException {
    return run(Map.of(), args);
  }

  private Result run(Map<String, String> environment, String... args) throws IOException, InterruptedException,
      java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    Process process = start(environment, args);
    CompletableFuture<String> out = collect(process.getInputStream());
    CompletableFuture<String> err = collect(process.getErrorStream());
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("bin/backfill %s finishes", List.of(args)).isTrue();
    return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private Process start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  private Process start(Map<String, String> environment, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile());
    builder.environment().put("BACKFILL_CLASSPATH", Path.of("target/test-classes").toAbsolutePath().toString());
    builder.environment().remove("BACKFILL_CONFIG");
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    return process;
  }

  private static CompletableFuture<String> collect(java.io.InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

}
