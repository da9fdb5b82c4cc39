package dev.backfill.rocksdb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link ChildStoreMain} on this test's class path. */
final class ChildJvm implements AutoCloseable {
  /** A bound on waiting for the child, so that a broken child fails the test instead of hanging it. */
  private static final long WAIT_SECONDS = 60;

  private final Process process;
  private final BufferedReader out;

  private ChildJvm(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static ChildJvm start(String mode, Path dir) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        ChildStoreMain.class.getName(), mode, dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    return new ChildJvm(process);
  }

  /** Blocks until the child prints the line; fails if it prints another, exits, or takes too long. */
  void awaitLine(String expected) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    if (!expected.equals(line)) {
      throw new AssertionError("child printed " + (line == null ? "nothing (exit code "
          + process.waitFor() + ")" : "'" + line + "'") + " instead of '" + expected + "'");
    }
  }

  /** Waits for the child to exit by itself and returns its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError("child did not exit within " + WAIT_SECONDS + " s");
    }
    return process.exitValue();
  }

  /** Kills the child (if still running) and waits for it, so that its directory lock is gone. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
