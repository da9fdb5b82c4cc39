package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.spi.OfflineStore;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InMemoryOfflineStoreContractTest extends OfflineStoreContractTest {
  @Override
  protected OfflineStore createStore() {
    return InMemoryOfflineStore.create();
  }

  @Test
  void partitionWidthBelowOneSecondIsRejected() {
    assertThatThrownBy(() -> InMemoryOfflineStore.create(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.5S");
  }

  /**
   * The whole contract again with hourly partitions: the kit's ranges start and stop inside
   * partitions and span many of them, which exercises partition pruning and partial partitions.
   */
  @Nested
  class HourlyPartitions extends OfflineStoreContractTest {
    @Override
    protected OfflineStore createStore() {
      return InMemoryOfflineStore.create(Duration.ofHours(1));
    }
  }
}
