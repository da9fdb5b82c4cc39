package dev.backfill.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a command reads and writes and what it knows of the process around it. The real process
 * gives {@link #system()}; tests give their own streams, answers and interruptions, so that every
 * command runs unchanged in both.
 *
 * @param input standard input, read for the answer to a reset confirmation
 * @param out standard output: plans, summaries, listings
 * @param err standard error: progress, notes, errors, log lines
 * @param inputInteractive whether standard input is a terminal (a person can confirm)
 * @param errorInteractive whether standard error is a terminal (a progress bar can redraw)
 * @param environment the process's environment variables ({@code BACKFILL_CONFIG})
 * @param workingDirectory where relative names resolve and {@code backfill.yaml} is looked for
 * @param interruptions how Ctrl-C reaches a running job
 */
public record CliContext(BufferedReader input, PrintWriter out, PrintWriter err, boolean inputInteractive,
    boolean errorInteractive, Map<String, String> environment, Path workingDirectory, Interruptions interruptions) {

  /** Tells a command line (the launcher) which of its streams are terminals; {@code 1} means yes. */
  static final String STDIN_TTY_PROPERTY = "backfill.stdin.tty";
  static final String STDERR_TTY_PROPERTY = "backfill.stderr.tty";

  public CliContext {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    environment = Map.copyOf(environment);
    Objects.requireNonNull(workingDirectory, "workingDirectory");
    Objects.requireNonNull(interruptions, "interruptions");
  }

  /**
   * The real process. Which streams are terminals comes from the launcher ({@code bin/backfill}
   * tests {@code -t 0} and {@code -t 2}); run as {@code java -jar}, a console means both are.
   */
  static CliContext system() {
    Charset charset = Charset.defaultCharset();
    boolean console = System.console() != null;
    return new CliContext(new BufferedReader(new InputStreamReader(System.in, charset)),
        new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        flag(STDIN_TTY_PROPERTY, console), flag(STDERR_TTY_PROPERTY, console), System.getenv(),
        Path.of("").toAbsolutePath(), SystemInterruptions.INSTANCE);
  }

  private static boolean flag(String property, boolean fallback) {
    String value = System.getProperty(property);
    return value == null ? fallback : value.equals("1") || value.equalsIgnoreCase("true");
  }
}
