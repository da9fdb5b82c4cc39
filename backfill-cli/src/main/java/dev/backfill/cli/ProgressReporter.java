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
 * stay readable). Closing it shows the final state once more. Both say the job's stage first
 * (reading, committing offline, updating online keys N/M, recovering), so that a long commit or
 * online update is not taken for a hang; while keys are updated the bar fills by keys.
 */
final class ProgressReporter implements AutoCloseable {
  private static final int BAR_WIDTH = 24;
  private static final long REDRAW_MILLIS = 200;
  /** The period of plain progress lines of a command without {@code --progress-interval}. */
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final BackfillJob job;
  private final PrintWriter err;
  private final boolean terminal;
  /** Shown from the start of a recovery: the job's rows were read by another process. */
  private final boolean recovery;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private int lastWidth;
  private boolean paused;

  private ProgressReporter(BackfillJob job, PrintWriter err, boolean terminal, Duration interval) {
    this.job = job;
    this.err = err;
    this.terminal = terminal;
    this.recovery = job.progress().stage() == BackfillProgress.Stage.RECOVERING;
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
    String text = line(job.progress(), Duration.ofNanos(System.nanoTime() - startNanos));
    if (terminal) {
      String padding = " ".repeat(Math.max(0, lastWidth - text.length()));
      err.print("\r" + text + padding);
      lastWidth = text.length();
    } else {
      err.println("progress: " + text);
    }
    err.flush();
  }

  private String line(BackfillProgress progress, Duration elapsed) {
    String text = describe(progress, elapsed, recovery);
    if (!terminal) {
      return text;
    }
    int filled = (int) Math.round(fraction(progress) * BAR_WIDTH);
    return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + text;
  }

  /**
   * {@code reading: 2/7 slices, 1,234 rows read, 1,234 written, 41,053 rows/s, 0:03 elapsed};
   * {@code updating online keys 2,048/3,000: ...}; {@code recovering: 2,048/6,000 keys, ...}.
   *
   * @param recovery whether the display began with the job's recovery: its end then says the
   *     keys, since its rows were read by the process that stopped
   */
  private static String describe(BackfillProgress progress, Duration elapsed, boolean recovery) {
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-3);
    String clock = String.format(Locale.ROOT, "%d:%02d", elapsed.toMinutes(), elapsed.toSecondsPart()) + " elapsed";
    String keys = Reports.number(progress.keysDone()) + "/" + Reports.number(progress.keysTotal());
    if (progress.stage() == BackfillProgress.Stage.RECOVERING) {
      return "recovering: " + keys + " keys reconciled, " + clock;
    }
    if (recovery && progress.stage() == BackfillProgress.Stage.FINISHED) {
      return "recovered: " + keys + " keys reconciled, " + clock;
    }
    String rows = progress.slicesDone() + "/" + progress.slicesTotal() + " slices, "
        + Reports.number(progress.rowsRead()) + " rows read, " + Reports.number(progress.rowsWritten()) + " written, ";
    String rate = Reports.number(Math.round(progress.rowsRead() / seconds)) + " rows/s, ";
    return switch (progress.stage()) {
      case QUEUED -> "queued: " + rows + clock;
      case READING -> "reading: " + rows + rate + clock;
      case COMMITTING -> "committing offline: " + rows + clock;
      case UPDATING_ONLINE -> "updating online keys " + keys + ": " + rows + clock;
      case FINISHED -> "finished: " + rows + (progress.keysTotal() > 0 ? keys + " online keys checked, " : "") + rate
          + clock;
      default -> progress.stage().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + rows + clock;
    };
  }

  /** Slices done while the job reads, keys done while it updates the online store. */
  private static double fraction(BackfillProgress progress) {
    return switch (progress.stage()) {
      case UPDATING_ONLINE, RECOVERING -> progress.keysTotal() == 0 ? 0.0
          : Math.min(1.0, (double) progress.keysDone() / progress.keysTotal());
      case FINISHED -> 1.0;
      default -> progress.fraction();
    };
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
