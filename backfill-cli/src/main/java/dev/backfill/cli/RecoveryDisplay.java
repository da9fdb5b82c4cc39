package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import java.time.Duration;

/**
 * What a command says while opening its environment finishes the online update of a job whose
 * process stopped after its offline commit (see {@code BackfillClient.Builder.onRecovery}): a
 * line naming the job and the keys it reconciles, then the same progress display as a backfill.
 * Ctrl-C meanwhile stops the recovery after its current batch of keys: the recovery has
 * recorded how far it got, and the next command on the environment resumes it from there.
 */
final class RecoveryDisplay implements AutoCloseable {
  private final CliContext context;
  private final Duration interval;
  private final Thread opening = Thread.currentThread();
  private ProgressReporter reporter;
  private Interruptions.Registration interruption;
  private volatile boolean interrupted;

  /** @param interval the period of the plain progress lines when standard error is not a terminal */
  RecoveryDisplay(CliContext context, Duration interval) {
    this.context = context;
    this.interval = interval;
  }

  /** The listener of the client's builder: called on the opening thread as a recovery starts. */
  synchronized void started(BackfillJob job) {
    // Recoveries run one after the other: the previous one has ended, and shows its last state.
    closeReporter();
    context.err().println("recovering backfill job " + job.id() + " of " + job.plan().featureSet() + " "
        + Reports.range(job.plan().range()) + ": its offline commit is done and its process stopped before the online "
        + "update; reconciling " + Reports.number(job.progress().keysTotal()) + " keys"
        + (job.progress().keysDone() > 0 ? ", resuming after the " + Reports.number(job.progress().keysDone())
            + " done before" : ""));
    context.err().flush();
    if (interruption == null) {
      interruption = context.interruptions().onInterrupt(this::interrupted);
    }
    reporter = ProgressReporter.start(job, context.err(), context.errorInteractive(), interval);
  }

  private void interrupted() {
    interrupted = true;
    context.err().println();
    context.err().println("interrupted: stopping the recovery after its current batch of keys; it records how far "
        + "it got, and the next command on this environment resumes it from there");
    context.err().flush();
    opening.interrupt();
  }

  private void closeReporter() {
    if (reporter != null) {
      reporter.close();
      reporter = null;
    }
  }

  /** Whether Ctrl-C came while a recovery was shown: the command must stop, even if the recovery had just ended. */
  boolean wasInterrupted() {
    return interrupted;
  }

  /** Shows each recovery's final progress and withdraws the Ctrl-C handler; the opening thread's interrupt is spent. */
  @Override
  public synchronized void close() {
    closeReporter();
    if (interruption != null) {
      interruption.close();
      interruption = null;
    }
    // Delivered to stop a recovery, which has acted on it (or finished): the command goes on to
    // print and close, which an interrupted thread cannot do with file channels.
    Thread.interrupted();
  }
}
