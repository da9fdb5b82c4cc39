package dev.backfill.cli;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The confirmation a command that deletes data asks for: {@code --yes}, or on a terminal the
 * answer {@code y} or {@code yes} to {@code Continue? [y/N]}. Without a terminal and without
 * {@code --yes} the command is refused, so that a script never deletes by accident.
 */
final class Confirmation {
  private Confirmation() {}

  /**
   * Returns when the deletion is confirmed.
   *
   * @param consequence what will be deleted, one sentence without a final period
   * @param refused what the refusal says was not done, such as {@code drop of feature set 'x'}
   * @throws UsageException when standard input is not a terminal, or the answer is not yes
   */
  static void require(CliContext context, boolean yes, String consequence, String refused) {
    if (yes) {
      return;
    }
    if (!context.inputInteractive()) {
      throw new UsageException(consequence + "; standard input is not a terminal, so confirm with --yes (nothing was changed)");
    }
    context.err().print(consequence + ". Continue? [y/N] ");
    context.err().flush();
    String answer;
    try {
      answer = context.input().readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String trimmed = answer == null ? "" : answer.trim();
    if (!trimmed.equalsIgnoreCase("y") && !trimmed.equalsIgnoreCase("yes")) {
      throw new UsageException(refused + " not confirmed (answer y or yes, or pass --yes); nothing was changed");
    }
  }
}
