package dev.backfill.cli;

import dev.backfill.cli.logging.CliLogging;
import picocli.CommandLine;

/**
 * The {@code backfill} command line. {@link #main} runs it in this process and exits with its
 * code; {@link #execute} runs it against any {@link CliContext} and returns the code.
 */
public final class BackfillCli {
  private BackfillCli() {}

  public static void main(String[] args) {
    CliContext context = CliContext.system();
    try {
      NativeLibraries.prepare();
    } catch (java.io.UncheckedIOException e) {
      context.err().println("error: " + e.getMessage());
      context.err().flush();
      SystemInterruptions.INSTANCE.exit(ExitCodes.FAILED);
      return;
    }
    int code = execute(context, args);
    context.out().flush();
    context.err().flush();
    SystemInterruptions.INSTANCE.exit(code);
  }

  /** Runs one command line; returns its exit code (see {@link ExitCodes}). */
  public static int execute(CliContext context, String... args) {
    // The engine's errors (a job record set aside, a record that could not be written) go to
    // this command's standard error even without -v, which only lowers the level.
    CliLogging.configure(context.err(), CliLogging.levelForVerbosity(0));
    GlobalOptions global = new GlobalOptions(context);
    CommandLine features = new CommandLine(new FeaturesCommand())
        .addSubcommand(new CommandLine(new BackfillCommand(context, global)))
        .addSubcommand(new CommandLine(new ListCommand(context, global)))
        .addSubcommand(new CommandLine(new ListBackfillsCommand(context, global)))
        .addSubcommand(new CommandLine(new BackfillStatusCommand(context, global)))
        .addSubcommand(new CommandLine(new CancelCommand(context, global)))
        .addSubcommand(new CommandLine(new DropCommand(context, global)))
        .addSubcommand(new CommandLine(new RepairOnlineCommand(context, global)));
    CommandLine root = new CommandLine(new RootCommand(global)).addSubcommand(features);
    FailureReporter failures = new FailureReporter(context.err(), global);
    root.setOut(context.out())
        .setErr(context.err())
        .setParameterExceptionHandler(failures)
        .setExecutionExceptionHandler(failures)
        .setCaseInsensitiveEnumValuesAllowed(true);
    return root.execute(args);
  }
}
