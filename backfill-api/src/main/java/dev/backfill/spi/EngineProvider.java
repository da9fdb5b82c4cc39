package dev.backfill.spi;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.JobHistorySnapshot;
import java.nio.file.Path;

/**
 * The engine behind {@link BackfillClient#builder()}, found through
 * {@link java.util.ServiceLoader}; {@code backfill-core} registers one. Not for plugin authors.
 */
public interface EngineProvider {
  /** A new, unconfigured client builder. */
  BackfillClient.Builder newClientBuilder();

  /**
   * Reads a durable job history without a client ({@link JobHistorySnapshot#read}). The default
   * refuses, for an engine without durable histories.
   */
  default JobHistorySnapshot readJobHistory(Path directory) {
    throw new UnsupportedOperationException("the engine " + getClass().getName() + " cannot read a job history "
        + "without a client");
  }

  /**
   * Reads a job history named by type and options without a client
   * ({@link JobHistorySnapshot#read(String, java.util.Map)}). The default refuses.
   */
  default JobHistorySnapshot readJobHistory(String type, java.util.Map<String, String> options) {
    throw new UnsupportedOperationException("the engine " + getClass().getName() + " cannot read a job history "
        + "without a client");
  }
}
