package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.api.RangeContents;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The command line's {@link DeletionConfirmation}: a backfill whose source and transform gave no
 * row in the range, and whose commit would only delete, asks as a reset does ({@code --yes}
 * skips it; without a terminal it is refused). It runs on the job's thread, so it pauses the
 * progress display while it asks; a refusal leaves the reason for the command to end with
 * (exit code 2).
 */
final class DeletionPrompt implements DeletionConfirmation {
  private final Confirmation confirmation;
  private final String featureSet;
  private final CompletableFuture<Void> interrupted = new CompletableFuture<>();
  private volatile ProgressReporter progress;
  private volatile String refusal;

  DeletionPrompt(Confirmation confirmation, String featureSet) {
    this.confirmation = confirmation;
    this.featureSet = featureSet;
  }

  /** The progress display to pause while asking. */
  void showingProgress(ProgressReporter reporter) {
    this.progress = reporter;
  }

  /** Ctrl-C: a question being asked counts as declined. */
  void interrupt() {
    interrupted.complete(null);
  }

  /** Why the backfill was not confirmed, once it was refused. */
  Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  @Override
  public boolean confirm(BackfillJob job, RangeContents deleted) {
    String consequence = "backfill job " + job.id() + " of feature set '" + featureSet + "' has no new row for "
        + Reports.range(job.plan().range()) + " (" + Reports.number(job.progress().rowsRead()) + " rows read from the source), "
        + "so its commit would delete " + Reports.contents(deleted)
        + (job.plan().reset() ? ", all the feature set holds," : " in that range") + " and write none";
    if (!confirmation.canAsk()) {
      refusal = Confirmation.notATerminal(consequence);
      return false;
    }
    ProgressReporter reporter = progress;
    if (reporter != null) {
      reporter.pause();
    }
    try {
      if (confirmation.ask(consequence, interrupted)) {
        return true;
      }
      if (interrupted.isDone()) {
        return false; // cancelled by Ctrl-C, which the command reports as such
      }
      refusal = "backfill of feature set '" + featureSet + "' that would only delete was not confirmed (answer y or yes, "
          + "or pass --yes); nothing was changed";
      return false;
    } finally {
      if (reporter != null) {
        reporter.resume();
      }
    }
  }
}
