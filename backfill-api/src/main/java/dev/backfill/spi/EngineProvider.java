package dev.backfill.spi;

import dev.backfill.api.BackfillClient;

/**
 * The engine behind {@link BackfillClient#builder()}, found through
 * {@link java.util.ServiceLoader}; {@code backfill-core} registers one. Not for plugin authors.
 */
public interface EngineProvider {
  /** A new, unconfigured client builder. */
  BackfillClient.Builder newClientBuilder();
}
