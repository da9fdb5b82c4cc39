package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.cli.config.BackfillConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features list-backfills}: the job history of the environment, newest first, read
 * without opening the stores ({@link EnvironmentHistory}).
 */
@Command(name = "list-backfills", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Lists the backfills of the environment's job history, newest first, with status, range and comment.")
final class ListBackfillsCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = {"--feature-set", "--name"}, paramLabel = "NAME",
      description = "Only the backfills of this feature set (default: of every feature set of the configuration).")
  String featureSet;

  ListBackfillsCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() {
    BackfillConfig config = global.loadConfig();
    List<String> names = featureSet == null ? List.copyOf(config.featureSets().keySet())
        : List.of(config.featureSet(featureSet).name());
    JobHistorySnapshot history = EnvironmentHistory.read(config, environment.name);
    List<BackfillJob> jobs = new ArrayList<>();
    names.forEach(name -> jobs.addAll(history.jobs(name)));
    if (jobs.isEmpty()) {
      context.out().println("no backfills of " + (featureSet == null ? "any feature set" : featureSet)
          + " in environment " + environment.name);
      return ExitCodes.SUCCESS;
    }
    jobs.sort(Comparator.comparing(BackfillJob::submittedAt).thenComparing(BackfillJob::id).reversed());
    context.out().print(Reports.jobTable(jobs));
    context.out().flush();
    EnvironmentHistory.notePending(jobs, context.err());
    return ExitCodes.SUCCESS;
  }
}
