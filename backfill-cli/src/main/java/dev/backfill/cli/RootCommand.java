package dev.backfill.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code backfill}: the command line's root, which holds the options every command inherits. */
@Command(name = "backfill", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Recomputes (backfills) the offline and online data of feature sets.",
    footer = {"", "Exit codes: 0 success, 1 the backfill failed or was cancelled, 2 a usage error, "
        + "3 a conflict with a running backfill."})
final class RootCommand implements Runnable {
  @Spec CommandSpec spec;
  @Mixin final GlobalOptions options;

  RootCommand(GlobalOptions options) {
    this.options = options;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: use 'backfill features ...'");
  }
}
