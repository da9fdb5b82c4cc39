package dev.backfill.spark;

import dev.backfill.api.EntityKey;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.PluginDefinition;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Lists every key of the online table, in one Spark task: a reset must also remove the online
 * keys the offline store never had. The listing streams out of the task lazily (a SCAN), so
 * neither the task nor the driver holds the keys.
 */
final class OnlineKeys implements FlatMapFunction<Iterator<Integer>, Row> {
  private static final long serialVersionUID = 1L;
  private final TableSpec table;
  private final PluginDefinition online;

  OnlineKeys(TableSpec table, PluginDefinition online) {
    this.table = table;
    this.online = online;
  }

  @Override
  public Iterator<Row> call(Iterator<Integer> ignored) {
    OnlineStore store = Plugins.onlineStore(online.type(), online.options());
    Stream<EntityKey> keys = store.keys(table.name());
    Iterator<EntityKey> iterator = keys.iterator();
    return new Iterator<>() {
      private boolean closed;

      @Override
      public boolean hasNext() {
        if (closed) {
          return false;
        }
        if (iterator.hasNext()) {
          return true;
        }
        closed = true;
        keys.close();
        try {
          store.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the online store after listing its keys: " + e, e);
        }
        return false;
      }

      @Override
      public Row next() {
        // The job's session reads timestamps as java.time.Instant, as EntityKey holds them.
        List<Object> parts = new ArrayList<>(iterator.next().parts());
        return RowFactory.create(parts.toArray());
      }
    };
  }
}
