package dev.backfill.api;

import dev.backfill.spi.EngineProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The jobs of a durable job history (the directory of {@link BackfillClient.Builder#jobHistory}),
 * read without building a client: nothing is locked, recovered, written or opened for writing.
 * So it can be read from a read-only folder, beside a client that holds the history (in this or
 * another process), and without waiting for any recovery.
 *
 * <p>The jobs are as last recorded and do not change: {@link BackfillJob#cancel()} returns false
 * and {@link BackfillJob#await()} returns or throws at once for a finished job. A job recorded as
 * not finished has the stage its process last recorded while a client holds the history
 * ({@link #inUse()}); when none does, its process stopped, and its stage is
 * {@link BackfillProgress.Stage#AWAITING_RECOVERY}: {@link BackfillJob#commitStage()} tells
 * whether the next client will finish its online update (COMMITTED) or find out from the offline
 * store whether it committed. A file in the directory that holds no valid record is skipped with
 * an error log line naming it (a client sets it aside).
 */
public interface JobHistorySnapshot {
  /**
   * Reads the job history in the directory; a directory that does not exist holds no jobs.
   *
   * @throws StoreException when the directory cannot be listed
   * @throws IllegalStateException when no engine is on the class path
   */
  static JobHistorySnapshot read(Path directory) {
    for (EngineProvider provider : ServiceLoader.load(EngineProvider.class, JobHistorySnapshot.class.getClassLoader())) {
      return provider.readJobHistory(directory);
    }
    for (EngineProvider provider : ServiceLoader.load(EngineProvider.class)) {
      return provider.readJobHistory(directory);
    }
    throw new IllegalStateException("no Backfill engine on the class path: add the dependency "
        + "dev.backfill:backfill-core (it registers " + EngineProvider.class.getName() + ")");
  }

  /**
   * Reads a job history named by type and options ({@code file} with {@code path}, or {@code jdbc}
   * with {@code url}), as {@link #read(Path)} does a directory: nothing is locked, recovered or
   * written. For a shared history, {@link #inUse()} is true and each unfinished job whose holder's
   * lease has expired is {@link BackfillProgress.Stage#AWAITING_RECOVERY}.
   *
   * @throws StoreException when the history cannot be reached
   */
  static JobHistorySnapshot read(String type, java.util.Map<String, String> options) {
    for (EngineProvider provider : ServiceLoader.load(EngineProvider.class, JobHistorySnapshot.class.getClassLoader())) {
      return provider.readJobHistory(type, options);
    }
    throw new IllegalStateException("no Backfill engine on the class path: add the dependency "
        + "dev.backfill:backfill-core (it registers " + EngineProvider.class.getName() + ")");
  }

  /** Whether a client held the history when it was read, so that its unfinished jobs were running. */
  boolean inUse();

  Optional<BackfillJob> job(String jobId);

  /** The jobs of the feature set, newest first, as {@link BackfillClient#jobs} lists them. */
  List<BackfillJob> jobs(String featureSet);
}
