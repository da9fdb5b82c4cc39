package dev.backfill.duckdb.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The folders where this process's in-memory DuckDB databases spill large intermediate results:
 * {@code backfill-duckdb-<pid>-<n>} in the temporary folder. They are only named here, not
 * created: DuckDB creates one when it first spills, so a command that never spills leaves
 * nothing, even when it is killed. A shutdown hook removes this process's folders at exit
 * (DuckDB would only on closing the database, which lives as long as the process), and the
 * first database of a process removes those of processes that no longer run (killed while
 * spilling).
 */
public final class SpillDirectory {
  static final String PREFIX = "backfill-duckdb-";
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static boolean swept;

  private SpillDirectory() {}

  /** A new folder name for one database, removed when the process exits. */
  static synchronized Path next() {
    Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
    if (!swept) {
      swept = true;
      removeThoseOfEndedProcesses(temporary);
    }
    Path folder = temporary.resolve(PREFIX + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder), "backfill-duckdb-spill-cleanup"));
    return folder;
  }

  private static void removeThoseOfEndedProcesses(Path temporary) {
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(temporary, PREFIX + "*")) {
      for (Path folder : folders) {
        String rest = folder.getFileName().toString().substring(PREFIX.length());
        String pid = rest.contains("-") ? rest.substring(0, rest.indexOf('-')) : rest;
        if (!pid.isEmpty() && pid.length() < 19 && pid.chars().allMatch(Character::isDigit)
            && !ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
          delete(folder);
        }
      }
    } catch (IOException | RuntimeException e) {
      // leftovers of other processes are a courtesy to clean; never a reason to fail
    }
  }

  private static void delete(Path folder) {
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // another process's file, or already gone
        }
      });
    } catch (IOException | RuntimeException e) {
      // nothing more to do
    }
  }
}
