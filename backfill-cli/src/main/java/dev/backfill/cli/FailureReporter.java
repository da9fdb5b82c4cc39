package dev.backfill.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns what ends a command with an exception into one line on standard error and its exit code.
 * A bad option adds where to find the valid ones; an unexpected exception (a bug) says how to get
 * its stack trace.
 */
final class FailureReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
  private final PrintWriter err;
  private final Verbosity verbosity;

  FailureReporter(PrintWriter err, Verbosity verbosity) {
    this.err = err;
    this.verbosity = verbosity;
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    String command = e.getCommandLine().getCommandSpec().qualifiedName();
    err.println("error: " + firstLine(e.getMessage()) + " (see '" + command + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
    int code = ExitCodes.of(e);
    boolean known = e instanceof dev.backfill.api.BackfillException;
    err.println("error: " + (known ? firstLine(e.getMessage())
        : "unexpected " + e + (verbosity.level() < 2 ? " (run with -vv for the stack trace)" : "")));
    if (!known && verbosity.level() >= 2) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /** The first line of a message, {@link TerminalText#escape escaped}: it may quote a source's values. */
  static String firstLine(String message) {
    return message == null ? "(no message)" : TerminalText.escape(message.lines().findFirst().orElse(""));
  }
}
