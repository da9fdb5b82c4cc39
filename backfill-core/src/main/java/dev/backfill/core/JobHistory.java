package dev.backfill.core;

import java.util.List;

/** Where job records are kept: in memory, or durably in a directory. Thread-safe. */
interface JobHistory extends AutoCloseable {
  /**
   * Stores the record, replacing any earlier one of the same id; durable when this returns.
   *
   * @throws RuntimeException when it cannot: the engine then does not take the step the record
   *     was to announce (see {@link DefaultBackfillJob})
   */
  void save(JobRecord record);

  /** Removes the record of that id, durably when this returns; an unknown id is not an error. */
  void delete(String jobId);

  /** Every stored record that is valid; one that is not must not stop the others loading. */
  List<JobRecord> load();

  @Override
  void close();
}
