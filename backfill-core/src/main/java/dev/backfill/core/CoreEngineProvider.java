package dev.backfill.core;

import dev.backfill.api.BackfillClient;
import dev.backfill.spi.EngineProvider;

/** Registers this engine behind {@link BackfillClient#builder()}. */
public final class CoreEngineProvider implements EngineProvider {
  @Override
  public BackfillClient.Builder newClientBuilder() {
    return new DefaultClientBuilder();
  }
}
