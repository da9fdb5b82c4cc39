package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableNames;
import dev.backfill.spi.TableSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An online store in memory: a concurrent map per table. Each write is one atomic
 * {@link ConcurrentHashMap#compute}, which evaluates the write's condition against the stored
 * row and sets or removes the key in the same step. Thread-safe.
 */
public final class InMemoryOnlineStore implements OnlineStore {
  private final Map<String, Table> tables = new ConcurrentHashMap<>();

  private InMemoryOnlineStore() {}

  public static InMemoryOnlineStore create() {
    return new InMemoryOnlineStore();
  }

  @Override
  public void createTable(TableSpec spec) {
    Objects.requireNonNull(spec, "spec");
    Table existing;
    synchronized (tables) {
      TableNames.requireNoCaseTwin("in-memory online store", spec.name(), tables.keySet());
      existing = tables.putIfAbsent(spec.name(), new Table(spec));
    }
    if (existing != null && !existing.spec.equals(spec)) {
      throw new InvalidFeatureSetException("online store: table '" + spec.name() + "' exists as " + existing.spec
          + "; it cannot be re-created as " + spec);
    }
  }

  @Override
  public void dropTable(String name) {
    tables.remove(Objects.requireNonNull(name, "name"));
  }

  @Override
  public Optional<Row> get(String table, EntityKey key) {
    Objects.requireNonNull(key, "key");
    return Optional.ofNullable(table(table).rows.get(key));
  }

  @Override
  public long write(String table, List<OnlineWrite> writes) {
    Table t = table(table);
    long applied = 0;
    for (OnlineWrite write : writes) {
      write.row().ifPresent(row -> {
        if (!row.schema().equals(t.spec.schema())) {
          throw new StoreException("online store (memory): table '" + table + "' has schema " + t.spec.schema()
              + "; the row for key " + write.key() + " has " + row.schema());
        }
      });
      boolean[] permitted = {false};
      t.rows.compute(write.key(), (key, stored) -> {
        if (!write.condition().permits(Optional.ofNullable(stored))) {
          return stored;
        }
        permitted[0] = true;
        return write.row().orElse(null);
      });
      if (permitted[0]) {
        applied++;
      }
    }
    return applied;
  }

  @Override
  public Stream<EntityKey> keys(String table) {
    return table(table).rows.keySet().stream();
  }

  /** The number of keys stored in the table. */
  public int size(String table) {
    return table(table).rows.size();
  }

  @Override
  public void close() {}

  private Table table(String name) {
    Objects.requireNonNull(name, "table");
    Table table = tables.get(name);
    if (table == null) {
      throw new StoreException("online store (memory): table '" + name + "' does not exist; register the feature set first");
    }
    return table;
  }

  private record Table(TableSpec spec, ConcurrentHashMap<EntityKey, Row> rows) {
    Table(TableSpec spec) {
      this(spec, new ConcurrentHashMap<>());
    }
  }
}
