package dev.backfill.cli;

import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.ConfigFiles;
import dev.backfill.cli.logging.CliLogging;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command inherits from {@code backfill}: the configuration file and the
 * verbosity. One instance per invocation, shared by the commands and the failure reporter.
 */
final class GlobalOptions implements Verbosity {
  private final CliContext context;
  private Optional<String> config = Optional.empty();
  private int verbosity;

  GlobalOptions(CliContext context) {
    this.context = context;
  }

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "The configuration file (default: $BACKFILL_CONFIG, else backfill.yaml in the working directory).")
  void config(String file) {
    this.config = Optional.of(file);
  }

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Show the engine's log lines on standard error: -v for INFO, -vv for DEBUG and stack traces.")
  void verbose(boolean[] flags) {
    this.verbosity = flags.length;
    CliLogging.configure(context.err(), CliLogging.levelForVerbosity(verbosity));
  }

  @Override
  public int level() {
    return verbosity;
  }

  /** Finds and reads the configuration file. */
  BackfillConfig loadConfig() {
    Path file = ConfigFiles.locate(config, Optional.ofNullable(context.environment().get(ConfigFiles.ENVIRONMENT_VARIABLE)),
        context.workingDirectory());
    return BackfillConfig.load(relativeToWorkingDirectory(file), context.workingDirectory());
  }

  /** Shows a file in messages as the user would type it: relative to the working directory when inside it. */
  private Path relativeToWorkingDirectory(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path here = context.workingDirectory().toAbsolutePath().normalize();
    return absolute.startsWith(here) ? here.relativize(absolute) : absolute;
  }
}
