package dev.backfill.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interruptions of the real process. Ctrl-C and {@code SIGTERM} start the JVM's shutdown, which
 * runs a hook: it cancels the job, then waits until the command has finished its clean-up and
 * decided its exit code ({@link #exit(int)}), and ends the process with that code (1 for a
 * cancelled job, as documented) rather than the signal's. A job in or past its offline commit
 * is not cancellable: the hook then waits for it to finish the commit and its online update.
 */
enum SystemInterruptions implements Interruptions {
  INSTANCE;

  /** How long an interrupted command may take to stop before the process ends anyway. */
  private static final long GRACE_SECONDS = 120;

  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger exitCode = new AtomicInteger(ExitCodes.FAILED);

  @Override
  public Registration onInterrupt(Runnable action) {
    Thread hook = new Thread(() -> {
      action.run();
      try {
        finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(exitCode.get());
    }, "backfill-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it ends the process once exit() is called
      }
    };
  }

  /** Ends the process with the command's exit code, through the hook if one is running. */
  void exit(int code) {
    exitCode.set(code);
    finished.countDown();
    System.exit(code);
  }
}
