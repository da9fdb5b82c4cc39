package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.cli.config.BackfillConfig;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features backfill-status}: one job of the history, with its counts or failure,
 * read without opening the stores ({@link EnvironmentHistory}). With {@code --watch} it reads the
 * history again until the job ends, wherever it runs (a shared history shows the progress its
 * process publishes at every heartbeat).
 */
@Command(name = "backfill-status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Shows one backfill job: status, range, comment, progress, counts or failure.")
final class BackfillStatusCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = "--job", required = true, paramLabel = "ID", description = "The job id, as printed when it started.")
  String jobId;

  @Option(names = "--watch", description = "Follow the job to its end, wherever it runs: a line on standard error "
      + "each time its status or progress changes, then its report.")
  boolean watch;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
      description = "Seconds between two readings of the job history with --watch (default: ${DEFAULT-VALUE}).")
  double intervalSeconds;

  BackfillStatusCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!(intervalSeconds > 0) || intervalSeconds > 3600) {
      throw new UsageException("--interval must be a number of seconds above 0 and at most 3600, not " + intervalSeconds);
    }
    BackfillConfig config = global.loadConfig();
    BackfillJob job = read(config);
    String shown = null;
    while (watch && !job.status().isTerminal()) {
      String line = Reports.status(job) + ": " + Reports.progressLine(job.progress());
      if (!Objects.equals(line, shown)) {
        context.err().println("watching " + job.id() + ": " + line);
        context.err().flush();
        shown = line;
      }
      Thread.sleep(Math.round(intervalSeconds * 1000));
      job = read(config);
    }
    context.out().print(Reports.job(job));
    context.out().flush();
    return ExitCodes.SUCCESS;
  }

  private BackfillJob read(BackfillConfig config) {
    return EnvironmentHistory.job(config, environment.name, jobId);
  }
}
