package dev.backfill.history.jdbc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM of the process tests ({@link HistoryChild}, {@link SharedStoresChild}) on this
 * test's class path: its output lines (standard output and error) collected as they come, so
 * that a test can wait for what the child says without blocking on its pipe.
 */
final class ChildJvm {
  final Process process;
  private final Duration patience;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ChildJvm(Process process, Duration patience) {
    this.process = process;
    this.patience = patience;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} with {@code args} in a JVM of {@code heap}, C1 only (the children live
   * seconds, and two cores are shared by several of them).
   *
   * @param patience how long {@link #await} waits for a line
   */
  static ChildJvm start(Class<?> main, String heap, Duration patience, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start(), patience);
  }

  /** The first line that starts with the prefix, waited for (bounded), without the prefix. */
  String await(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> line = firstWith(prefix);
      if (line.isPresent()) {
        return line.get();
      }
      if (!process.isAlive()) {
        // The reader may still be draining the pipe of a process that has just ended.
        Thread.sleep(200);
        return firstWith(prefix).orElseThrow(
            () -> new AssertionError("child ended without '" + prefix + "':\n" + String.join("\n", lines)));
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no '" + prefix + "' within " + patience.toSeconds() + " s:\n" + String.join("\n", lines));
  }

  private Optional<String> firstWith(String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()));
  }

  long count(Predicate<String> which) {
    return lines.stream().filter(which).count();
  }

  /** Writes a line to the child's standard input. */
  void say(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Kills the child (SIGKILL) and waits for it to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }
}
