package dev.backfill.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code backfill features}: the commands on feature sets and their backfills. */
@Command(name = "features", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Backfill feature sets, list them, list and inspect their backfills, and drop their stored data.")
final class FeaturesCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "Missing command: use one of " + String.join(", ", spec.subcommands().keySet()));
  }
}
