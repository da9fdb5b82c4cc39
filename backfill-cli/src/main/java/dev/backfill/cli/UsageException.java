package dev.backfill.cli;

import dev.backfill.api.BackfillException;

/** A command used wrongly in a way picocli cannot see, such as a reset or a deletion not confirmed. Exit code 2. */
final class UsageException extends BackfillException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
