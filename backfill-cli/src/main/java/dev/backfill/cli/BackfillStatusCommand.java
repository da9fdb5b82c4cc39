package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.cli.config.BackfillConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features backfill-status}: one job of the history, with its counts or failure,
 * read without opening the stores ({@link EnvironmentHistory}).
 */
@Command(name = "backfill-status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Shows one backfill job: status, range, comment, progress, counts or failure.")
final class BackfillStatusCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = "--job", required = true, paramLabel = "ID", description = "The job id, as printed when it started.")
  String jobId;

  BackfillStatusCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() {
    BackfillConfig config = global.loadConfig();
    BackfillJob job = EnvironmentHistory.read(config, environment.name).job(jobId)
        .orElseThrow(() -> new InvalidBackfillRequestException("unknown job '" + jobId + "' in environment "
            + environment.name + "; list the jobs with 'backfill features list-backfills --environment "
            + environment.name + "'"));
    context.out().print(Reports.job(job));
    context.out().flush();
    return ExitCodes.SUCCESS;
  }
}
