package dev.backfill.cli;

import dev.backfill.cli.config.BackfillConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features drop}: deletes a feature set's stored data in an environment (its
 * offline table, its online table, its job records) after a confirmation, so that the name can
 * be backfilled again with other columns.
 */
@Command(name = "drop", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {"Deletes a feature set's stored data in the environment: its offline table, its online table and "
        + "its job records. Asks for confirmation.",
        "The stored data keeps the columns it was created with; drop it to backfill the feature set with changed columns."})
final class DropCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = {"--feature-set", "--name"}, required = true, paramLabel = "NAME",
      description = "The feature set whose stored data to delete (it need not be in the configuration any more).")
  String featureSet;

  @Option(names = {"-y", "--yes"}, description = "Confirm without asking (required when standard input is not a terminal).")
  boolean yes;

  DropCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() {
    BackfillConfig config = global.loadConfig();
    boolean declared = config.featureSets().containsKey(featureSet);
    try (EnvironmentSession session = EnvironmentSession.open(config, environment.name, "backfill features drop",
        EnvironmentSession.owner("drop --feature-set " + featureSet), context, ProgressReporter.DEFAULT_INTERVAL)) {
      int jobs = session.client().jobs(featureSet).size();
      boolean offlineTable = session.hasOfflineTable(featureSet);
      Confirmation.require(context, yes, "drop deletes the stored data of feature set '" + featureSet + "' in environment '"
          + environment.name + "': " + (offlineTable ? "its offline table" : "its offline table (there is none)")
          + ", its online table and its " + jobs + " job record(s)" + (declared ? "" : " (" + config.file()
          + " does not declare it)") + "; this cannot be undone", "drop of feature set '" + featureSet + "'");
      session.client().dropFeatureSet(featureSet);
      context.out().println("dropped feature set '" + featureSet + "' in environment '" + environment.name + "': "
          + (offlineTable ? "its offline table" : "no offline table") + ", its online table and " + jobs + " job record(s)");
      context.out().flush();
      return ExitCodes.SUCCESS;
    }
  }
}
