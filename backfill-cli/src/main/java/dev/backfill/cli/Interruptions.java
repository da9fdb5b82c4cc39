package dev.backfill.cli;

/**
 * How an interruption of the process (Ctrl-C, {@code SIGTERM}) reaches a running command.
 * Implementations must run the action at most once, on any thread, and must let the command
 * finish its clean-up (cancel, close the stores, print the outcome) before the process ends.
 */
public interface Interruptions {
  /**
   * Runs {@code action} if the process is interrupted while the registration is open.
   *
   * @return closing it withdraws the action
   */
  Registration onInterrupt(Runnable action);

  /** An open registration. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
