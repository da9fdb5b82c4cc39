package dev.backfill.core;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.spi.EngineProvider;
import java.nio.file.Path;

/** Registers this engine behind {@link BackfillClient#builder()} and {@link JobHistorySnapshot#read}. */
public final class CoreEngineProvider implements EngineProvider {
  @Override
  public BackfillClient.Builder newClientBuilder() {
    return new DefaultClientBuilder();
  }

  @Override
  public JobHistorySnapshot readJobHistory(Path directory) {
    return RecordedHistory.read(directory);
  }

  @Override
  public JobHistorySnapshot readJobHistory(String type, java.util.Map<String, String> options) {
    return RecordedHistory.read(type, options);
  }
}
