package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 point 9: on a read-only data folder even {@code list-backfills} failed, with RocksDB's
 * "renaming LOG" error. The commands that only read now read the job history alone and work; a
 * command that writes fails with one line naming the folder.
 *
 * <p>The folder is made read-only with {@code chmod}, and where that does not stop this process
 * (root, as on the build machine) with {@code chattr +i}, which stops root too; either way the
 * test first checks that creating a file there really fails.
 */
class ReadOnlyFolderTest {
  @TempDir Path folder;
  private CliHarness cli;
  private final List<Runnable> undo = new ArrayList<>();

  @BeforeEach
  void load() {
    cli = new CliHarness(folder);
    Run load = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips",
        "--stop-time", "2024-02-01", "--comment", "the load");
    assertThat(load.exitCode()).as(load.err()).isZero();
  }

  @AfterEach
  void makeWritableAgain() {
    undo.forEach(Runnable::run);
  }

  @Test
  void onAReadOnlyDataFolderTheCommandsThatReadWorkAndAWriteNamesTheFolder() throws Exception {
    Path data = folder.resolve("data");
    makeReadOnly(data);

    Run listing = cli.run("features", "list-backfills", "--environment", "local");
    assertThat(listing.exitCode()).as(listing.err()).isZero();
    assertThat(listing.err()).isEmpty();
    assertThat(listing.out()).contains("driver_trips", "SUCCEEDED", "the load");
    String jobId = listing.out().lines().skip(1).findFirst().orElseThrow().substring(0, 27);
    Run status = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId);
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("status                SUCCEEDED").contains("rows written          60");
    Run list = cli.run("features", "list", "--environment", "local");
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).contains(jobId + " SUCCEEDED");

    for (List<String> writes : List.of(List.of("backfill", "--name", "driver_trips"),
        List.of("backfill", "--dry-run", "--name", "driver_trips"), List.of("repair-online", "--name", "driver_trips"))) {
      List<String> args = new ArrayList<>(List.of("features"));
      args.addAll(writes);
      args.addAll(List.of("--environment", "local"));
      Run write = cli.run(args.toArray(String[]::new));
      assertThat(write.exitCode()).as(write.err()).isEqualTo(ExitCodes.FAILED);
      assertThat(write.out()).isEmpty();
      assertThat(write.err().lines()).singleElement().asString().isEqualTo("error: the folder " + data.resolve("jobs")
          + " is not writable (the command 'backfill features " + writes.get(0) + "' writes there: the job history of "
          + "environment 'local'); make it writable, or use a command that only reads: list, list-backfills and "
          + "backfill-status read the job history alone");
    }
  }

  @Test
  void aReadOnlyStoreFolderIsNamedWithTheStore() throws Exception {
    Path online = folder.resolve("data/online");
    makeReadOnly(online);

    Run write = cli.run("features", "backfill", "--environment", "local", "--name", "driver_trips");

    assertThat(write.exitCode()).as(write.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(write.err().lines()).singleElement().asString().isEqualTo("error: the folder " + online
        + " is not writable (the command 'backfill features backfill' writes there: the online store of environment "
        + "'local'); make it writable, or use a command that only reads: list, list-backfills and backfill-status read "
        + "the job history alone");
    assertThat(cli.run("features", "list-backfills", "--environment", "local").out()).contains("SUCCEEDED");
  }

  /** Makes the folder and all in it read-only for this process, and checks that a new file there is refused. */
  private void makeReadOnly(Path root) throws Exception {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.toList();
    }
    Set<PosixFilePermission> readOnly = PosixFilePermissions.fromString("r-xr-xr-x");
    List<Set<PosixFilePermission>> before = new ArrayList<>();
    for (Path path : paths) {
      before.add(Files.getPosixFilePermissions(path));
      Files.setPosixFilePermissions(path, readOnly);
    }
    undo.add(() -> {
      for (int i = 0; i < paths.size(); i++) {
        try {
          Files.setPosixFilePermissions(paths.get(i), before.get(i));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    });
    if (Files.isWritable(root)) {
      // Root ignores permissions; an immutable folder stops it too (ext4 and most local file systems).
      assertThat(chattr("+i", root)).as("chattr -R +i %s: the folder cannot be made read-only for root", root).isZero();
      undo.add(0, () -> chattr("-i", root));
    }
    assertThat(Files.isWritable(root)).isFalse();
    assertThatThrownBy(() -> Files.createFile(root.resolve("probe"))).isInstanceOf(IOException.class);
  }

  private static int chattr(String flag, Path root) {
    try {
      Process chattr = new ProcessBuilder("chattr", "-R", flag, root.toString()).redirectErrorStream(true).start();
      chattr.getInputStream().readAllBytes();
      return chattr.waitFor(30, TimeUnit.SECONDS) ? chattr.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
