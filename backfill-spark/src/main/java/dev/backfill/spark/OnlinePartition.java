package dev.backfill.spark;

import dev.backfill.api.EntityKey;
import dev.backfill.core.OnlineReconciler;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.PluginDefinition;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * What one Spark task does for the online update: opens the offline and the online store from
 * their definitions on the executor and runs the engine's own reconciliation
 * ({@link OnlineReconciler}: the latest offline row of each key, conditional writes with the
 * interval's fence, deletes of keys left without rows) over its part of the changed keys, then
 * makes its writes durable. Returns one pair: keys written, keys deleted.
 */
final class OnlinePartition implements FlatMapFunction<Iterator<Row>, long[]> {
  private static final long serialVersionUID = 1L;
  private final TableSpec table;
  private final PluginDefinition offline;
  private final PluginDefinition online;
  private final Instant fence;

  /** @param fence the interval's stop, or null for a reset */
  OnlinePartition(TableSpec table, PluginDefinition offline, PluginDefinition online, Instant fence) {
    this.table = table;
    this.offline = offline;
    this.online = online;
    this.fence = fence;
  }

  @Override
  public Iterator<long[]> call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return List.<long[]>of().iterator();
    }
    int width = table.keyColumns().size();
    Iterator<EntityKey> keys = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public EntityKey next() {
        Row row = rows.next();
        Object[] parts = new Object[width];
        for (int i = 0; i < width; i++) {
          parts[i] = SparkTypes.value(row.get(i));
        }
        return EntityKey.of(parts);
      }
    };
    try (OfflineStore offlineStore = Plugins.offlineStore(offline.type(), offline.options());
         OnlineStore onlineStore = Plugins.onlineStore(online.type(), online.options());
         Stream<EntityKey> stream = StreamSupport.stream(Spliterators.spliteratorUnknownSize(keys, 0), false)) {
      OnlineReconciler.Outcome outcome = new OnlineReconciler(offlineStore, onlineStore)
          .reconcile(table, stream, Optional.ofNullable(fence));
      onlineStore.sync();
      return List.of(new long[] {outcome.keysWritten(), outcome.keysDeleted()}).iterator();
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }
}
