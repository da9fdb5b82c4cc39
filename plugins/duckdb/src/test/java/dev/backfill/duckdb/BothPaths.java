package dev.backfill.duckdb;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The same feature sets on two DuckDB offline stores in one folder, each behind its own client
 * with an in-memory online store: {@link #fast} takes the fast path where it can, {@link #jvm}
 * streams every row through the JVM. Tests run one backfill on both and compare.
 */
final class BothPaths implements AutoCloseable {
  final DuckDbOfflineStore fastStore;
  final DuckDbOfflineStore jvmStore;
  final BackfillClient fast;
  final BackfillClient jvm;

  BothPaths(Path dir, FeatureSet... featureSets) {
    fastStore = DuckDbOfflineStore.open(Optional.of(dir.resolve("fast.duckdb")), true);
    jvmStore = DuckDbOfflineStore.open(Optional.of(dir.resolve("jvm.duckdb")), false);
    fast = BackfillClient.builder().offlineStore(fastStore).onlineStore(InMemoryOnlineStore.create()).build();
    jvm = BackfillClient.builder().offlineStore(jvmStore).onlineStore(InMemoryOnlineStore.create()).build();
    for (FeatureSet featureSet : featureSets) {
      fast.register(featureSet);
      jvm.register(featureSet);
    }
  }

  /** Both clients, the fast path's first. */
  List<BackfillClient> clients() {
    return List.of(fast, jvm);
  }

  @Override
  public void close() {
    fast.close();
    jvm.close();
    fastStore.close();
    jvmStore.close();
  }
}
