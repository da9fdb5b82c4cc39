package dev.backfill.core;

import dev.backfill.spi.JobHistory;
import dev.backfill.spi.JobHistoryProvider;
import java.util.Map;

/** Job history type {@code memory} (the default): no options; records live as long as the client. */
public final class MemoryJobHistoryProvider implements JobHistoryProvider {
  @Override
  public String type() {
    return "memory";
  }

  @Override
  public JobHistory create(Map<String, String> options) {
    FileJobHistoryProvider.onlyKnown(options, java.util.Set.of(), type());
    return new InMemoryJobHistory();
  }
}
