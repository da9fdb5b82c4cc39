package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows a running job's progress on standard error: a bar redrawn in place five times a second
 * when standard error is a terminal, else a plain line at a fixed interval (logs and CI output
 * stay readable). Closing it shows the final state once more.
 */
final class ProgressReporter implements AutoCloseable {
  private static final int BAR_WIDTH = 24;
  private static final long REDRAW_MILLIS = 200;

  private final BackfillJob job;
  private final PrintWriter err;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private int lastWidth;
  private boolean paused;

  private ProgressReporter(BackfillJob job, PrintWriter err, boolean terminal, Duration interval) {
    this.job = job;
    this.err = err;
    this.terminal = terminal;
    this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "backfill-progress");
      thread.setDaemon(true);
      return thread;
    });
    long period = terminal ? REDRAW_MILLIS : Math.max(1, interval.toMillis());
    ticker.scheduleAtFixedRate(this::show, period, period, TimeUnit.MILLISECONDS);
  }

  /** Starts reporting; {@code interval} is the period of plain lines. */
  static ProgressReporter start(BackfillJob job, PrintWriter err, boolean terminal, Duration interval) {
    return new ProgressReporter(job, err, terminal, interval);
  }

  /**
   * Stops drawing until {@link #resume()}, and on a terminal clears the bar's line, so that a
   * question can be asked on standard error. Returns after any drawing in progress has ended.
   */
  synchronized void pause() {
    paused = true;
    if (terminal && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
      lastWidth = 0;
    }
  }

  /** Draws again. */
  synchronized void resume() {
    paused = false;
  }

  private synchronized void show() {
    if (paused) {
      return;
    }
    String text = describe(job.progress(), Duration.ofNanos(System.nanoTime() - startNanos));
    if (terminal) {
      String padding = " ".repeat(Math.max(0, lastWidth - text.length()));
      err.print("\r" + text + padding);
      lastWidth = text.length();
    } else {
      err.println("progress: " + text);
    }
    err.flush();
  }

  private String describe(BackfillProgress progress, Duration elapsed) {
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-3);
    String counts = progress.slicesDone() + "/" + progress.slicesTotal() + " slices, "
        + Reports.number(progress.rowsRead()) + " rows read, " + Reports.number(progress.rowsWritten()) + " written, "
        + Reports.number(Math.round(progress.rowsRead() / seconds)) + " rows/s, "
        + String.format(Locale.ROOT, "%d:%02d", elapsed.toMinutes(), elapsed.toSecondsPart()) + " elapsed";
    if (!terminal) {
      return counts;
    }
    int filled = (int) Math.round(progress.fraction() * BAR_WIDTH);
    return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + counts;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    resume();
    show();
    if (terminal) {
      err.println();
      err.flush();
    }
  }
}
