package dev.backfill.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbOnlineStoreProviderTest {
  @TempDir
  Path dir;

  @Test
  void theProviderIsFoundByTypeAndCreatesTheDirectory() {
    Path path = dir.resolve("a/b/online");
    try (OnlineStore store = Plugins.onlineStore("rocksdb", Map.of("path", path.toString()))) {
      assertThat(store).isInstanceOf(RocksDbOnlineStore.class);
      assertThat(path).isDirectory();
    }
  }

  @Test
  void aMissingPathIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> Plugins.onlineStore("rocksdb", Map.of()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageStartingWith("online store 'rocksdb': ")
        .hasMessageContaining("option 'path' is missing").hasMessageContaining("directory");
    assertThatThrownBy(() -> Plugins.onlineStore("rocksdb", Map.of("path", "  ")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("blank");
  }

  @Test
  void anUnknownOptionIsRefusedNamingItAndTheValidOne() {
    assertThatThrownBy(() -> Plugins.onlineStore("rocksdb", Map.of("path", dir.toString(), "pth", "x")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("[pth]").hasMessageContaining("'path'")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aPathThatIsAFileIsRefusedNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> Plugins.onlineStore("rocksdb", Map.of("path", file.toString())))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("option 'path'").hasMessageContaining(file.toString())
        .hasMessageContaining("existing file").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> RocksDbOnlineStore.open(file))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString());
    assertThat(Files.readString(file)).isEqualTo("x");
  }
}
