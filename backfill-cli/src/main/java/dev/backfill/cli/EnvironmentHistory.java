package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.EnvironmentConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The job history of an environment, for a command that only reads it ({@code list},
 * {@code list-backfills}, {@code backfill-status}): read as a {@link JobHistorySnapshot}, without
 * opening the stores or taking the environment's lock and without creating anything. So such a
 * command never waits for a recovery, works on a read-only folder, and runs beside any other
 * command of the environment, showing what that command recorded.
 */
final class EnvironmentHistory {
  private EnvironmentHistory() {}

  static JobHistorySnapshot read(BackfillConfig config, String environmentName) {
    EnvironmentConfig environment = config.environment(environmentName);
    Optional<Path> directory = environment.historyDirectory();
    if (directory.isEmpty()) {
      // A shared history: read through its plugin, which neither locks nor recovers anything.
      return environment.jobHistory().create(JobHistorySnapshot::read);
    }
    if (Files.exists(directory.get()) && !Files.isDirectory(directory.get())) {
      throw EnvironmentSession.historyIsAFile(environment);
    }
    return JobHistorySnapshot.read(directory.get());
  }

  /**
   * One job of the environment's history, read as {@link #read} does; an unknown id is a
   * request error that says how to list the jobs.
   */
  static BackfillJob job(BackfillConfig config, String environmentName, String jobId) {
    return read(config, environmentName).job(jobId)
        .orElseThrow(() -> new InvalidBackfillRequestException("unknown job '" + jobId + "' in environment "
            + environmentName + "; list the jobs with 'backfill features list-backfills --environment "
            + environmentName + "'"));
  }

  /** One note on standard error per listed job whose process stopped before it finished: what the next command does. */
  static void notePending(List<BackfillJob> jobs, PrintWriter err) {
    for (BackfillJob job : jobs) {
      Reports.awaitingRecovery(job).ifPresent(why -> err.println("note: backfill job " + job.id() + " of "
          + TerminalText.escape(job.plan().featureSet()) + " is " + Reports.status(job) + ": " + why));
    }
    err.flush();
  }
}
