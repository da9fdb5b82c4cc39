package dev.backfill.cli;

import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.EnvironmentConfig;
import dev.backfill.spi.JobHistory;
import dev.backfill.spi.Plugins;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features cancel --job ID}: asks the process running a backfill, on this machine
 * or another, to cancel it, through the environment's shared job history, then waits for the
 * outcome and says it. The job is cancelled if it has not committed offline by the time its
 * process reads the request (at its next heartbeat). A {@code file} job history carries no
 * request between processes: the command says where the job runs instead.
 *
 * <p>Exit code 0 when the job was cancelled; 1 when it was not (it had finished or committed, or
 * did not stop within {@code --wait}); 2 for an unknown job.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Cancels a running backfill job, wherever it runs (through a shared job history), and says what happened.")
final class CancelCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = "--job", required = true, paramLabel = "ID", description = "The job id, as printed when it started.")
  String jobId;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
      description = "Seconds to wait for the job's process to stop it (default: ${DEFAULT-VALUE}).")
  double waitSeconds;

  CancelCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!(waitSeconds >= 0) || waitSeconds > 86_400) {
      throw new UsageException("--wait must be a number of seconds from 0 to 86400, not " + waitSeconds);
    }
    BackfillConfig config = global.loadConfig();
    EnvironmentConfig env = config.environment(environment.name);
    BackfillJob job = read(config);
    if (job.status().isTerminal()) {
      return said("backfill job " + jobId + " has already finished (" + job.status() + "); nothing to cancel");
    }
    Optional<Path> directory = env.historyDirectory();
    if (directory.isPresent()) {
      return refuseFileHistory(job, directory.get());
    }
    boolean requested;
    try (JobHistory history = env.jobHistory().create(Plugins::jobHistory)) {
      requested = history.requestCancel(jobId);
    }
    if (!requested) {
      BackfillJob now = read(config);
      return said(now.status().isTerminal()
          ? "backfill job " + jobId + " has already finished (" + now.status() + "); nothing to cancel"
          : "backfill job " + jobId + " has committed offline and is updating the online store; a committed backfill "
              + "can no longer be cancelled");
    }
    context.err().println("asked the process running backfill job " + jobId + " to cancel it; waiting for it");
    context.err().flush();
    long deadline = System.nanoTime() + Math.round(waitSeconds * 1e9);
    while (!job.status().isTerminal() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      job = read(config);
    }
    if (job.status() == BackfillStatus.CANCELLED) {
      context.out().println("backfill job " + jobId + " was cancelled by the process running it; neither store was "
          + "changed");
      context.out().flush();
      return ExitCodes.SUCCESS;
    }
    if (job.status().isTerminal()) {
      return said("backfill job " + jobId + " was not cancelled: it ended " + job.status() + " before its process "
          + "read the request" + (job.status() == BackfillStatus.SUCCEEDED ? " (it had committed offline)"
              : job.failure().map(f -> ": " + TerminalText.escape(f)).orElse("")));
    }
    return said("backfill job " + jobId + " has not stopped within " + Reports.number(Math.round(waitSeconds))
        + " s; its process cancels it at its next heartbeat unless it commits first (or, if it stopped, the client "
        + "that takes it over fails it); follow it with 'backfill features backfill-status --environment "
        + environment.name + " --job " + jobId + " --watch'");
  }

  /** A file history: the job's process holds the directory, and nothing reaches it through the files. */
  private int refuseFileHistory(BackfillJob job, Path directory) {
    if (Reports.awaitingRecovery(job).isPresent()) {
      return said("backfill job " + jobId + " is not running: " + Reports.awaitingRecovery(job).get());
    }
    String holder = EnvironmentLock.holder(directory).orElse("another process");
    throw new BackfillException("backfill job " + jobId + " runs in " + holder + ", which holds environment '"
        + environment.name + "'; a file job history carries no cancel request between processes: stop that "
        + "command (Ctrl-C), or give the environment a shared job history (job-history: {type: jdbc, url: ...}) "
        + "so that any command can cancel its jobs");
  }

  /** Says why nothing was cancelled; exit code 1. */
  private int said(String text) {
    context.out().println(text);
    context.out().flush();
    return ExitCodes.FAILED;
  }

  private BackfillJob read(BackfillConfig config) {
    return EnvironmentHistory.job(config, environment.name, jobId);
  }
}
