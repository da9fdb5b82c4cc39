package dev.backfill.duckdb;

import dev.backfill.spi.OfflineStore;
import dev.backfill.testkit.OfflineStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class DuckDbOfflineStoreContractTest extends OfflineStoreContractTest {
  @TempDir Path dir;

  @Override
  protected OfflineStore createStore() {
    return DuckDbOfflineStore.open(dir.resolve("offline.duckdb"));
  }
}
