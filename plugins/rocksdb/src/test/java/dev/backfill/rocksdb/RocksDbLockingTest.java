package dev.backfill.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.EntityKey;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Plugins;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One directory, one client: RocksDB's lock keeps a second store out, in this or another JVM. */
class RocksDbLockingTest {
  @TempDir
  Path dir;

  @Test
  void aSecondStoreInTheSameProcessIsRefusedNamingThePath() {
    Path path = dir.resolve("online");
    try (RocksDbOnlineStore first = RocksDbOnlineStore.open(path)) {
      assertThatThrownBy(() -> RocksDbOnlineStore.open(path))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(path.toString())
          .hasMessageContaining("another client");
      assertThatThrownBy(() -> Plugins.onlineStore("rocksdb", Map.of("path", path.toString())))
          .isInstanceOf(StoreException.class).hasMessageContaining("locked");
      // The refused attempts did not disturb the holder.
      first.createTable(Fixtures.clicks());
      assertThat(first.write("clicks", List.of(OnlineWrite.put(EntityKey.of("u"), Fixtures.click("u", Fixtures.T0, 1)))))
          .isEqualTo(1);
    }
    // Closing released the lock.
    try (RocksDbOnlineStore again = RocksDbOnlineStore.open(path)) {
      again.createTable(Fixtures.clicks());
      assertThat(again.get("clicks", EntityKey.of("u"))).contains(Fixtures.click("u", Fixtures.T0, 1));
    }
  }

  @Test
  void aDirectoryHeldByAnotherProcessIsRefusedNamingThePath() throws Exception {
    Path path = dir.resolve("online");
    try (ChildJvm child = ChildJvm.start("hold", path)) {
      child.awaitLine("ready");

      assertThatThrownBy(() -> RocksDbOnlineStore.open(path))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(path.toString())
          .hasMessageContaining("another client");
    }
    // The child is gone, and the operating system released its lock with it.
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      assertThat(store.directory()).isEqualTo(path.toAbsolutePath());
    }
  }
}
