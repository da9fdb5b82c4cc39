package dev.backfill.cli;

import dev.backfill.api.OnlineRepairResult;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.FeatureSetConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features repair-online}: brings every online key of a feature set to its
 * latest offline row ({@link dev.backfill.api.BackfillClient#repairOnline}). The feature set's
 * source and transform are not created: a repair reads only the stores.
 */
@Command(name = "repair-online", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {"Brings every online key of a feature set to its latest offline row, and removes online keys "
        + "that have no offline row left.",
        "Repairs what a crash left outside any backfill: an ingest whose process died between its offline append "
            + "and its online write. Reads every key of both stores; changes no offline data."})
final class RepairOnlineCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = {"--feature-set", "--name"}, required = true, paramLabel = "NAME",
      description = "The feature set whose online store to repair.")
  String featureSet;

  RepairOnlineCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() {
    BackfillConfig config = global.loadConfig();
    FeatureSetConfig featureSetConfig = config.featureSet(featureSet);
    try (EnvironmentSession session = EnvironmentSession.open(config, environment.name,
        "backfill features repair-online", EnvironmentSession.owner("repair-online --feature-set " + featureSet), context,
        ProgressReporter.DEFAULT_INTERVAL)) {
      session.registerColumns(featureSetConfig);
      OnlineRepairResult result = session.client().repairOnline(featureSet);
      context.out().print(Reports.repair(result));
      context.out().flush();
      return ExitCodes.SUCCESS;
    }
  }
}
