package dev.backfill.core;

import dev.backfill.api.BackfillProgress;
import dev.backfill.spi.JobHistory;

/**
 * Writes one job's records to the history, one at a time, remembering the last: so the progress
 * a heartbeat publishes between transitions ({@link #publishProgress}) is the last recorded state
 * with newer counts, and never overwrites a later transition with an earlier state.
 */
final class JobRecorder {
  private final JobHistory history;
  private JobRecord last;

  JobRecorder(JobHistory history) {
    this.history = history;
  }

  /** Records a transition, durably; throws when the history cannot (see {@link JobHistory#save}). */
  synchronized void save(JobRecord record) {
    history.save(JobDocuments.entry(record));
    last = record;
  }

  /** Remembers a record the history holds already (the one {@link JobHistory#submit} recorded). */
  synchronized void saved(JobRecord record) {
    last = record;
  }

  /**
   * Publishes the counts of a job still running, for readers in other processes. The progress is
   * read after the last transition was recorded, so the two never disagree.
   */
  synchronized void publishProgress(java.util.function.Supplier<BackfillProgress> progress) {
    if (last == null || last.status().isTerminal()) {
      return;
    }
    JobRecord record = last.withProgress(progress.get());
    history.save(JobDocuments.entry(record));
    last = record;
  }
}
