package dev.backfill.cli.logging;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import org.slf4j.event.Level;

/**
 * Where the command line's log lines go and from which level. One per process, as a command line
 * is: errors only by default (the command reports failures itself), INFO with {@code -v}, DEBUG
 * with {@code -vv}. Lines go to standard error, never to standard output, which holds results.
 */
public final class CliLogging {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static volatile Level threshold = Level.ERROR;
  private static volatile PrintWriter out = new PrintWriter(System.err, true);

  private CliLogging() {}

  /** Sends log lines to this writer from this level on. */
  public static void configure(PrintWriter writer, Level level) {
    out = Objects.requireNonNull(writer, "writer");
    threshold = Objects.requireNonNull(level, "level");
  }

  /** The level for a count of {@code -v} flags. */
  public static Level levelForVerbosity(int verbosity) {
    return verbosity <= 0 ? Level.ERROR : verbosity == 1 ? Level.INFO : Level.DEBUG;
  }

  static boolean enabled(Level level) {
    return level.toInt() >= threshold.toInt();
  }

  static void write(Level level, String logger, String message, Throwable throwable) {
    PrintWriter writer = out;
    synchronized (writer) {
      writer.println(LocalTime.now(ZoneOffset.UTC).format(TIME) + " " + level + " " + logger + ": " + message
          + (throwable == null || threshold.toInt() <= Level.DEBUG.toInt() ? "" : " (" + throwable + ")"));
      if (throwable != null && threshold.toInt() <= Level.DEBUG.toInt()) {
        throwable.printStackTrace(writer);
      }
      writer.flush();
    }
  }
}
