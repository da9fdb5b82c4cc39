package dev.backfill.duckdb;

import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.testkit.BackfillContractTest;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class DuckDbBackfillContractTest extends BackfillContractTest {
  @TempDir Path dir;

  @Override
  protected OfflineStore createOfflineStore() {
    return DuckDbOfflineStore.open(dir.resolve("offline.duckdb"));
  }

  @Override
  protected OnlineStore createOnlineStore() {
    return InMemoryOnlineStore.create();
  }
}
