package dev.backfill.cli;

import dev.backfill.api.BackfillException;

/**
 * Another process uses the environment: the embedded stores and the job history serve one
 * process at a time, so a second command waits for none and fails with exit code 3, naming the
 * process and what it runs.
 */
final class EnvironmentBusyException extends BackfillException {
  private static final long serialVersionUID = 1L;

  EnvironmentBusyException(String message) {
    super(message);
  }
}
