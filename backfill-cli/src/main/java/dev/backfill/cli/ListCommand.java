package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.FeatureSetConfig;
import dev.backfill.cli.config.PluginConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code backfill features list}: the feature sets of the configuration and the last backfill of
 * each, from the job history read without opening the stores ({@link EnvironmentHistory}).
 */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Lists the feature sets of the configuration file, with the last backfill of each in the environment.")
final class ListCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  ListCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() {
    BackfillConfig config = global.loadConfig();
    JobHistorySnapshot history = EnvironmentHistory.read(config, environment.name);
    if (config.featureSets().isEmpty()) {
      context.out().println("no feature sets in " + config.file());
      return ExitCodes.SUCCESS;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NAME", "KEYS", "EVENT TIME", "FEATURES", "SOURCE", "TRANSFORM", "BACKFILL START", "TEMPLATE",
        "LAST BACKFILL"));
    List<BackfillJob> last = new ArrayList<>();
    for (FeatureSetConfig featureSet : config.featureSets().values()) {
      List<BackfillJob> jobs = history.jobs(featureSet.name());
      rows.add(List.of(featureSet.name(), columns(featureSet.keys()), featureSet.eventTime(),
          columns(featureSet.features()), featureSet.source().type(),
          featureSet.transform().map(PluginConfig::type).orElse("identity"), featureSet.backfillStart().toString(),
          featureSet.clusterTemplate().toString(),
          jobs.isEmpty() ? "-" : jobs.get(0).id() + " " + Reports.status(jobs.get(0))));
      jobs.stream().findFirst().ifPresent(last::add);
    }
    context.out().print(Reports.table(rows));
    context.out().flush();
    EnvironmentHistory.notePending(last, context.err());
    return ExitCodes.SUCCESS;
  }

  private static String columns(Map<String, ?> columns) {
    return columns.isEmpty() ? "-" : columns.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue().toString().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(","));
  }
}
