package dev.backfill.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} process of a test, on a free loopback port, in a directory of its own:
 * the tests may stop and restart it without disturbing the shared server on 6379. Needs
 * {@code redis-server} on the PATH (Debian package {@code redis-server}; {@code .ci/run}
 * installs it); without it the test fails saying so.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final List<String> extra;
  private Process process;

  private RedisServer(int port, Path dir, List<String> extra) {
    this.port = port;
    this.dir = dir;
    this.extra = List.copyOf(extra);
  }

  /** Starts a server; {@code extra} are further {@code redis-server} arguments. */
  public static RedisServer start(String... extra) {
    try {
      Path dir = Files.createTempDirectory("backfill-redis-test");
      RedisServer server = new RedisServer(freePort(), dir, List.of(extra));
      server.startProcess();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a server that keeps its data across {@link #stop()} and {@link #restart()} (append-only file, fsync always). */
  public static RedisServer startPersistent(String... extra) {
    List<String> args = new ArrayList<>(List.of("--appendonly", "yes", "--appendfsync", "always"));
    args.addAll(List.of(extra));
    return start(args.toArray(String[]::new));
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  Path dir() {
    return dir;
  }

  /** Stops the process (SIGTERM, which makes Redis flush and exit) and waits for it. */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the process again on the same port and directory. */
  public synchronized void restart() {
    stop();
    startProcess();
  }

  /** Sends one command over a fresh connection and returns the reply ({@link Resp}). */
  public Object command(String... args) {
    try (Resp resp = new Resp(port)) {
      return resp.call(args);
    }
  }

  @Override
  public synchronized void close() {
    stop();
  }

  private void startProcess() {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "no"));
    command.addAll(extra);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-server (" + e.getMessage() + "): install it (Debian package"
          + " redis-server; .ci/run does) so that the Redis tests can start their own servers", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      } catch (IllegalStateException e) {
        if (e.getMessage().startsWith("NOAUTH")) {
          return; // a server with a password: up
        }
        if (!e.getMessage().startsWith("LOADING")) {
          throw e;
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log;
        try {
          log = Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
          log = "(no log)";
        }
        throw new IllegalStateException("redis-server on port " + port + " did not start: " + log);
      }
      sleep(50);
    }
  }

  /** A port free now, whose cluster bus port (port + 10000) is free too. */
  public static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (port < 55_000) {
          try (ServerSocket bus = new ServerSocket(port + 10_000, 1, java.net.InetAddress.getLoopbackAddress())) {
            return port;
          } catch (IOException busTaken) {
            // try another
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free port pair found");
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
