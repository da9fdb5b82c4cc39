package dev.backfill.cli;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.OnlineRepairResult;
import dev.backfill.api.RangeContents;
import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The text of plans, results and jobs, as the commands print them. */
final class Reports {
  /** Plans with more slices than this show the first two, {@code <..>} and the last two. */
  static final int SLICES_SHOWN_IN_FULL = 10;
  /** A comment longer than this is cut in a table (it is shown whole by {@code backfill-status}). */
  static final int COMMENT_WIDTH = 60;

  private Reports() {}

  /**
   * The plan as a dry run shows it.
   *
   * @param replaced what the offline store holds now in the range (for a reset, in all of the
   *     feature set): what the backfill would replace
   * @param stopClamped whether the command rounded a future stop down to now
   * @param threadSafeTransform whether the feature set's transform may run on several workers
   */
  static String plan(BackfillPlan plan, RangeContents replaced, boolean stopClamped, boolean threadSafeTransform) {
    StringBuilder text = new StringBuilder("Dry run: backfill of " + plan.featureSet() + " (nothing is changed)\n");
    line(text, "range", range(plan.range()) + (stopClamped || plan.stopClamped() ? " (stop rounded down to now)" : ""));
    line(text, "reset", plan.reset() ? "yes: all current data of " + plan.featureSet() + " is deleted first" : "no: only the range is replaced");
    line(text, "replaces", contents(replaced) + (plan.reset() ? ", all the feature set holds now" : " in the range now"));
    line(text, "cluster template", workers(plan, threadSafeTransform));
    plan.comment().ifPresent(comment -> line(text, "comment", comment));
    line(text, "slices", String.valueOf(plan.slices().size()));
    for (String slice : slicesShown(plan.slices())) {
      line(text, "", slice);
    }
    return text.toString();
  }

  /**
   * The template and the workers a job of the plan runs on this machine, and why they are fewer
   * than the template asks: {@code XLARGE, 2 workers (XLARGE asks 16; this machine has 2 cores)}.
   */
  static String workers(BackfillPlan plan, boolean threadSafeTransform) {
    ClusterTemplate template = plan.clusterTemplate();
    int slices = plan.slices().size();
    int used = template.workers(slices, threadSafeTransform);
    String text = template + ", " + used + (used == 1 ? " worker" : " workers");
    if (used == template.parallelism()) {
      return text;
    }
    List<String> why = new ArrayList<>();
    if (!threadSafeTransform) {
      why.add("its transform is not thread-safe, so its slices run one after the other");
    } else if (ClusterTemplate.processors() == used) {
      why.add("this machine has " + used + (used == 1 ? " core" : " cores"));
    }
    if (slices == used) {
      why.add("the plan has " + slices + (slices == 1 ? " slice" : " slices"));
    }
    return text + " (" + template + " asks " + template.parallelism() + "; " + String.join(" and ", why) + ")";
  }

  /** Every slice when there are at most ten; else the first two, {@code <..>} and the last two. */
  static List<String> slicesShown(List<TimeRange> slices) {
    List<String> shown = new ArrayList<>();
    if (slices.size() <= SLICES_SHOWN_IN_FULL) {
      slices.forEach(slice -> shown.add(range(slice)));
    } else {
      shown.add(range(slices.get(0)));
      shown.add(range(slices.get(1)));
      shown.add("<..>");
      shown.add(range(slices.get(slices.size() - 2)));
      shown.add(range(slices.get(slices.size() - 1)));
    }
    return shown;
  }

  static String result(BackfillResult result) {
    StringBuilder text = new StringBuilder("Backfill job " + result.jobId() + " of " + result.featureSet() + " succeeded\n");
    counts(text, result);
    return text.toString();
  }

  static String repair(OnlineRepairResult result) {
    StringBuilder text = new StringBuilder("Online store of " + result.featureSet() + " repaired\n");
    line(text, "online keys written", number(result.keysWritten()));
    line(text, "online keys deleted", number(result.keysDeleted()));
    line(text, "elapsed", duration(result.elapsed()));
    return text.toString();
  }

  static String job(BackfillJob job) {
    BackfillPlan plan = job.plan();
    StringBuilder text = new StringBuilder("Backfill job " + job.id() + "\n");
    line(text, "feature set", plan.featureSet());
    line(text, "status", status(job) + awaitingRecovery(job).map(why -> ": " + why).orElse(""));
    line(text, "submitted", submitted(job));
    line(text, "cluster template", plan.clusterTemplate().toString());
    plan.comment().ifPresent(comment -> line(text, "comment", comment));
    job.failure().ifPresent(failure -> line(text, "failure", failure));
    if (job.result().isPresent()) {
      counts(text, job.result().get());
    } else {
      line(text, "range", range(plan.range()) + (plan.reset() ? ", reset" : ""));
      line(text, "progress", progressLine(job.progress()));
    }
    return text.toString();
  }

  /** {@code 3/10 slices, 1,200 rows read, 1,200 written}. */
  static String progressLine(BackfillProgress progress) {
    return progress.slicesDone() + "/" + progress.slicesTotal() + " slices, " + number(progress.rowsRead())
        + " rows read, " + number(progress.rowsWritten()) + " written";
  }

  /** One line per job, newest first as given, with status, range and comment. */
  static String jobTable(List<BackfillJob> jobs) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("JOB", "FEATURE SET", "STATUS", "SUBMITTED", "RANGE", "RESET", "ROWS WRITTEN", "COMMENT"));
    for (BackfillJob job : jobs) {
      BackfillPlan plan = job.plan();
      rows.add(List.of(job.id(), plan.featureSet(), status(job), submitted(job),
          range(plan.range()), plan.reset() ? "yes" : "no",
          job.result().map(r -> number(r.rowsWritten())).orElse("-"),
          TerminalText.cut(plan.comment().orElse(""), COMMENT_WIDTH)));
    }
    return table(rows);
  }

  /**
   * A job's status as the listings show it: a finished job's status; a running one's with its
   * stage ({@code RUNNING (updating online)}); and for a job whose process stopped
   * (read from the history with no client holding it) what is pending:
   * {@code COMMITTED, ONLINE UPDATE PENDING}, or {@code STOPPED, TO BE SETTLED} before its commit.
   */
  static String status(BackfillJob job) {
    if (job.status().isTerminal()) {
      return job.status().toString();
    }
    BackfillProgress progress = job.progress();
    if (progress.stage() == BackfillProgress.Stage.AWAITING_RECOVERY) {
      return job.commitStage() == BackfillJob.CommitStage.COMMITTED ? "COMMITTED, ONLINE UPDATE PENDING"
          : "STOPPED, TO BE SETTLED";
    }
    // A record's counts are those of its last save, which only a recovery makes as it goes.
    return job.status() + " (" + switch (progress.stage()) {
      case COMMITTING -> "committing offline";
      case RECOVERING -> "recovering, " + keys(progress) + " keys done";
      default -> progress.stage().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    } + ")";
  }

  /**
   * What the next command does about a job whose process stopped before it finished, for a job
   * read from the history while no client held it; empty for any other job.
   */
  static Optional<String> awaitingRecovery(BackfillJob job) {
    if (job.status().isTerminal() || job.progress().stage() != BackfillProgress.Stage.AWAITING_RECOVERY) {
      return Optional.empty();
    }
    if (job.commitStage() == BackfillJob.CommitStage.COMMITTED) {
      BackfillProgress progress = job.progress();
      return Optional.of("its offline commit is done and the process running it stopped before the online update; "
          + "the next backfill, repair-online or drop on this environment finishes the online update first"
          + (progress.keysDone() > 0 ? ", resuming after the " + keys(progress) + " keys already reconciled" : ""));
    }
    return Optional.of("the process running it stopped before recording an offline commit; the next backfill, "
        + "repair-online or drop on this environment settles it from the offline store: FAILED with nothing changed, "
        + "or, if the commit was made, its online update finished");
  }

  private static String keys(BackfillProgress progress) {
    return number(progress.keysDone()) + "/" + number(progress.keysTotal());
  }

  /** Left-aligned columns two spaces apart, the last one unpadded; every cell {@link TerminalText#escape escaped}. */
  static String table(List<List<String>> cells) {
    List<List<String>> rows = cells.stream().map(row -> row.stream().map(TerminalText::escape).toList()).toList();
    int columns = rows.get(0).size();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(c == columns - 1 ? row.get(c) : String.format(Locale.ROOT, "%-" + widths[c] + "s  ", row.get(c)));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }

  private static String submitted(BackfillJob job) {
    return job.submittedAt().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String range(TimeRange range) {
    return "[" + range.start() + ", " + range.stop() + ")";
  }

  /** {@code 1,234 offline rows of 56 keys}. */
  static String contents(RangeContents contents) {
    return number(contents.rows()) + " offline rows of " + number(contents.keys()) + (contents.keys() == 1 ? " key" : " keys");
  }

  static String number(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** {@code 850 ms}, {@code 12.4 s}, {@code 3 min 05 s}. */
  static String duration(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    return String.format(Locale.ROOT, "%d min %02d s", millis / 60_000, (millis / 1000) % 60);
  }

  private static void counts(StringBuilder text, BackfillResult result) {
    line(text, "range", range(result.range()) + (result.reset() ? ", reset" : ""));
    line(text, "rows read", number(result.rowsRead()));
    line(text, "rows written", number(result.rowsWritten()));
    line(text, "dropped out of range", number(result.rowsDroppedOutOfRange()));
    line(text, "dropped as context", number(result.rowsDroppedAsContext()));
    line(text, "without event time", number(result.rowsWithoutEventTime()) + (result.rowsWithoutEventTime() == 0 ? ""
        : " (source rows whose event time is null: no range holds them, so they were not written)"));
    line(text, "offline rows deleted", number(result.offlineRowsDeleted()));
    line(text, "online keys written", number(result.onlineKeysWritten()));
    line(text, "online keys deleted", number(result.onlineKeysDeleted()));
    line(text, "elapsed", duration(result.elapsed()));
  }

  private static void line(StringBuilder text, String label, String value) {
    text.append(String.format(Locale.ROOT, "  %-21s %s%n", label, TerminalText.escape(value)));
  }
}
