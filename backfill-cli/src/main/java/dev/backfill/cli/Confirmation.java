package dev.backfill.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks a person to confirm a step that deletes data: a reset, or a backfill that would delete
 * rows and write none. The same question and the same rules for both: only {@code y} or
 * {@code yes} goes ahead; when standard input is not a terminal nobody can answer, so the step
 * is refused and {@code --yes} is the way to confirm it.
 */
final class Confirmation {
  private final CliContext context;

  Confirmation(CliContext context) {
    this.context = context;
  }

  /** Whether a person can be asked: standard input is a terminal. */
  boolean canAsk() {
    return context.inputInteractive();
  }

  /** The refusal when nobody can be asked: what would happen, and how to confirm it. */
  static String notATerminal(String consequence) {
    return consequence + "; standard input is not a terminal, so confirm with --yes (nothing was changed)";
  }

  /**
   * Prints {@code consequence. Continue? [y/N]} on standard error and reads the answer.
   *
   * @param interrupted completes when the command is interrupted (Ctrl-C): the question then
   *     counts as declined, without waiting for a line that may never come
   * @return whether the answer was y or yes
   */
  boolean ask(String consequence, CompletableFuture<?> interrupted) {
    context.err().print(consequence + ". Continue? [y/N] ");
    context.err().flush();
    CompletableFuture<String> answer = new CompletableFuture<>();
    // A daemon thread reads, so that an interruption does not wait for the reader, and a process
    // that ends is not kept alive by it.
    Thread reader = new Thread(() -> {
      try {
        answer.complete(context.input().readLine());
      } catch (IOException e) {
        answer.completeExceptionally(new UncheckedIOException(e));
      }
    }, "backfill-confirmation");
    reader.setDaemon(true);
    reader.start();
    try {
      CompletableFuture.anyOf(answer, interrupted).join();
      if (!answer.isDone()) {
        context.err().println();
        return false;
      }
      String line = answer.join();
      String trimmed = line == null ? "" : line.trim();
      return trimmed.equalsIgnoreCase("y") || trimmed.equalsIgnoreCase("yes");
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * Returns when a deletion that runs before anything else (a drop) is confirmed: {@code --yes},
   * or {@code y}/{@code yes} on a terminal.
   *
   * @param consequence what will be deleted, one sentence without a final period
   * @param refused what the refusal says was not done, such as {@code drop of feature set 'x'}
   * @throws UsageException when standard input is not a terminal, or the answer is not yes
   */
  static void require(CliContext context, boolean yes, String consequence, String refused) {
    if (yes) {
      return;
    }
    Confirmation confirmation = new Confirmation(context);
    if (!confirmation.canAsk()) {
      throw new UsageException(notATerminal(consequence));
    }
    if (!confirmation.ask(consequence, new CompletableFuture<>())) {
      throw new UsageException(refused + " not confirmed (answer y or yes, or pass --yes); nothing was changed");
    }
  }
}
