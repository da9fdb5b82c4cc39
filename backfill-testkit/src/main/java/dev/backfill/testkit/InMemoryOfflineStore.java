package dev.backfill.testkit;

import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableNames;
import dev.backfill.spi.TableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * An offline store in memory, with multi-version snapshots and partitions by event time.
 *
 * <p>Every commit publishes a new immutable {@code Version}: a sorted map from partition number
 * to an immutable partition of immutable chunks. Unchanged partitions are shared between
 * versions, so replacing a range copies only the partitions the range touches (plus the small
 * partition map), and a scan that holds an old version reads it to its end whatever commits
 * happen meanwhile. Each chunk memoises its latest row per key, which makes
 * {@link #latest} a hash lookup per partition instead of a scan. Thread-safe: readers never
 * lock; commits of one table are serialised.
 */
public final class InMemoryOfflineStore implements OfflineStore {
  /** A partition with more chunks than this is compacted into one on its next append. */
  private static final int MAX_CHUNKS = 16;

  private final long partitionSeconds;
  private final Map<String, Table> tables = new ConcurrentHashMap<>();

  private InMemoryOfflineStore(Duration partitionWidth) {
    Objects.requireNonNull(partitionWidth, "partitionWidth");
    if (partitionWidth.getSeconds() < 1) {
      throw new IllegalArgumentException("partition width must be at least one second, not " + partitionWidth);
    }
    this.partitionSeconds = partitionWidth.getSeconds();
  }

  /** A store partitioned by UTC day. */
  public static InMemoryOfflineStore create() {
    return new InMemoryOfflineStore(Duration.ofDays(1));
  }

  /** A store partitioned by the given width (whole seconds). */
  public static InMemoryOfflineStore create(Duration partitionWidth) {
    return new InMemoryOfflineStore(partitionWidth);
  }

  @Override
  public void createTable(TableSpec spec) {
    Objects.requireNonNull(spec, "spec");
    Table existing;
    synchronized (tables) {
      TableNames.requireNoCaseTwin("in-memory offline store", spec.name(), tables.keySet());
      existing = tables.putIfAbsent(spec.name(), new Table(spec));
    }
    if (existing != null && !existing.spec.equals(spec)) {
      throw new InvalidFeatureSetException("offline store: table '" + spec.name() + "' exists as " + existing.spec
          + "; it cannot be re-created as " + spec);
    }
  }

  @Override
  public Optional<TableSpec> table(String name) {
    return Optional.ofNullable(tables.get(name)).map(t -> t.spec);
  }

  /** Forgets the table; a scan already running keeps reading the version it started on. */
  @Override
  public void dropTable(String name) {
    tables.remove(Objects.requireNonNull(name, "name"));
  }

  @Override
  public void append(String table, List<Row> rows) {
    Table t = table(table, "append to");
    List<Row> copy = List.copyOf(rows);
    t.checkRows(copy, TimeRange.all());
    synchronized (t) {
      Map<Long, List<Row>> byPartition = groupByPartition(copy, t.spec);
      TreeMap<Long, Partition> partitions = new TreeMap<>(t.current.partitions);
      byPartition.forEach((id, added) -> addChunk(partitions, id, new Chunk(added, t.spec), t.spec));
      t.current = new Version(partitions, t.current.rowCount + copy.size());
    }
  }

  @Override
  public OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(commitId, "commitId");
    return new Replacement(table(table, "replace in"), range, commitId);
  }

  @Override
  public boolean isCommitted(String table, String commitId) {
    return table(table, "look up commits of").commitIds.contains(commitId);
  }

  @Override
  public Stream<Row> scan(String table, TimeRange range) {
    Objects.requireNonNull(range, "range");
    Table t = table(table, "scan");
    Version version = t.current;
    return partitionsOf(version, range).values().stream()
        .flatMap(partition -> partition.chunks.stream())
        .flatMap(chunk -> chunk.rows.stream())
        .filter(row -> range.contains(t.spec.eventTimeOf(row)));
  }

  /**
   * Counts from one version without copying rows: a partition wholly inside the range adds its
   * size and its chunks' memoised keys; a partition cut by the range is filtered row by row.
   */
  @Override
  public RangeContents contents(String table, TimeRange range) {
    Objects.requireNonNull(range, "range");
    Table t = table(table, "count the rows of");
    long rows = 0;
    Set<EntityKey> keys = new HashSet<>();
    for (Map.Entry<Long, Partition> entry : partitionsOf(t.current, range).entrySet()) {
      Instant partitionStart = Instant.ofEpochSecond(entry.getKey() * partitionSeconds);
      boolean whole = !partitionStart.isBefore(range.start())
          && !partitionStart.plusSeconds(partitionSeconds).isAfter(range.stop());
      for (Chunk chunk : entry.getValue().chunks) {
        if (whole) {
          rows += chunk.rows.size();
          keys.addAll(chunk.latestByKey().keySet());
          continue;
        }
        for (Row row : chunk.rows) {
          if (range.contains(t.spec.eventTimeOf(row))) {
            rows++;
            keys.add(t.spec.keyOf(row));
          }
        }
      }
    }
    return new RangeContents(rows, keys.size());
  }

  @Override
  public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
    Table t = table(table, "read the latest rows of");
    Version version = t.current;
    Comparator<Row> order = t.spec.latestOrder();
    Set<EntityKey> remaining = new HashSet<>(keys);
    Map<EntityKey, Row> latest = new HashMap<>();
    for (Partition partition : version.partitions.descendingMap().values()) {
      if (remaining.isEmpty()) {
        break;
      }
      List<EntityKey> found = new ArrayList<>();
      for (EntityKey key : remaining) {
        Row best = null;
        for (Chunk chunk : partition.chunks) {
          Row candidate = chunk.latestByKey().get(key);
          if (candidate != null && (best == null || order.compare(candidate, best) > 0)) {
            best = candidate;
          }
        }
        if (best != null) {
          latest.put(key, best);
          found.add(key);
        }
      }
      // Partitions hold disjoint event-time ranges, so the newest partition that has a key
      // holds its latest row.
      found.forEach(remaining::remove);
    }
    return latest;
  }

  /**
   * The distinct keys of the range from one version: a partition wholly inside the range gives
   * the keys its chunks already index (their latest rows), only a partition the range cuts is
   * scanned row by row.
   */
  @Override
  public Stream<EntityKey> keys(String table, TimeRange range) {
    Objects.requireNonNull(range, "range");
    Table t = table(table, "list the keys of");
    Version version = t.current;
    Set<EntityKey> keys = new LinkedHashSet<>();
    for (Map.Entry<Long, Partition> entry : partitionsOf(version, range).entrySet()) {
      long first = entry.getKey() * partitionSeconds;
      boolean whole = !Instant.ofEpochSecond(first).isBefore(range.start())
          && !Instant.ofEpochSecond(first).plusSeconds(partitionSeconds).isAfter(range.stop());
      for (Chunk chunk : entry.getValue().chunks) {
        if (whole) {
          keys.addAll(chunk.latestByKey().keySet());
        } else {
          chunk.rows.stream().filter(row -> range.contains(t.spec.eventTimeOf(row))).map(t.spec::keyOf).forEach(keys::add);
        }
      }
    }
    return keys.stream();
  }

  /** The number of rows of the table in its current version. */
  public long rowCount(String table) {
    return table(table, "count").current.rowCount;
  }

  @Override
  public void close() {}

  private Table table(String name, String action) {
    Objects.requireNonNull(name, "table");
    Table table = tables.get(name);
    if (table == null) {
      throw new StoreException("offline store (memory): cannot " + action + " table '" + name
          + "': it does not exist; register the feature set first");
    }
    return table;
  }

  private static void addChunk(Map<Long, Partition> partitions, long id, Chunk chunk, TableSpec spec) {
    partitions.merge(id, Partition.of(chunk), (old, fresh) -> old.plus(chunk, spec));
  }

  private long partitionOf(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), partitionSeconds);
  }

  private NavigableMap<Long, Partition> partitionsOf(Version version, TimeRange range) {
    long first = partitionOf(range.start());
    Instant lastInstant = range.stop().minusNanos(1);
    return version.partitions.subMap(first, true, partitionOf(lastInstant), true);
  }

  private Map<Long, List<Row>> groupByPartition(List<Row> rows, TableSpec spec) {
    Map<Long, List<Row>> byPartition = new HashMap<>();
    for (Row row : rows) {
      byPartition.computeIfAbsent(partitionOf(spec.eventTimeOf(row)), id -> new ArrayList<>()).add(row);
    }
    return byPartition;
  }

  private final class Table {
    final TableSpec spec;
    final Set<String> commitIds = ConcurrentHashMap.newKeySet();
    /** The last row schema found equal to the table's: writers reuse one instance for all rows. */
    private volatile dev.backfill.api.Schema knownEqual;
    volatile Version current = new Version(new TreeMap<>(), 0);

    Table(TableSpec spec) {
      this.spec = spec;
    }

    void checkRows(List<Row> rows, TimeRange allowed) {
      for (Row row : rows) {
        if (row.schema() != spec.schema() && row.schema() != knownEqual) {
          if (!row.schema().equals(spec.schema())) {
            throw new StoreException("offline store (memory): table '" + spec.name() + "' has schema " + spec.schema()
                + "; a row has " + row.schema());
          }
          knownEqual = row.schema();
        }
        Instant t = spec.eventTimeOf(row);
        if (t == null || !allowed.contains(t)) {
          throw new StoreException("offline store (memory): table '" + spec.name() + "': row event time " + t
              + " is outside the replaced range " + allowed);
        }
      }
    }
  }

  /** An immutable state of a table. */
  private record Version(NavigableMap<Long, Partition> partitions, long rowCount) {}

  /** The rows of one event-time partition, as immutable chunks. */
  private static final class Partition {
    final List<Chunk> chunks;
    final long size;

    private Partition(List<Chunk> chunks) {
      this.chunks = List.copyOf(chunks);
      this.size = chunks.stream().mapToLong(c -> c.rows.size()).sum();
    }

    static Partition of(Chunk chunk) {
      return new Partition(List.of(chunk));
    }

    Partition plus(Chunk chunk, TableSpec spec) {
      List<Chunk> all = new ArrayList<>(chunks);
      all.add(chunk);
      if (all.size() > MAX_CHUNKS) {
        List<Row> rows = new ArrayList<>();
        all.forEach(c -> rows.addAll(c.rows));
        return of(new Chunk(rows, spec));
      }
      return new Partition(all);
    }
  }

  /** Immutable rows with a lazily computed, memoised latest row per key. */
  private static final class Chunk {
    final List<Row> rows;
    private final TableSpec spec;
    private volatile Map<EntityKey, Row> latestByKey;

    /** Takes ownership of the list, which nobody else may change afterwards. */
    Chunk(List<Row> rows, TableSpec spec) {
      this.rows = java.util.Collections.unmodifiableList(rows);
      this.spec = spec;
    }

    Map<EntityKey, Row> latestByKey() {
      Map<EntityKey, Row> result = latestByKey;
      if (result == null) {
        Map<EntityKey, Row> computed = new HashMap<>();
        for (Row row : rows) {
          computed.merge(spec.keyOf(row), row, spec::laterOf);
        }
        latestByKey = result = computed;
      }
      return result;
    }
  }

  /**
   * Stages rows by partition as they are written (on the engine's worker threads), so that the
   * commit only concatenates them and swaps the touched partitions in one new version.
   */
  private final class Replacement implements OfflineReplacement {
    private final Table table;
    private final Optional<TimeRange> range;
    private final String commitId;
    private final Map<Long, ConcurrentLinkedQueue<List<Row>>> staged = new ConcurrentHashMap<>();
    private final Set<EntityKey> addedKeys = ConcurrentHashMap.newKeySet();
    private final Set<EntityKey> deletedKeys = new HashSet<>();
    private volatile boolean committed;
    private volatile boolean closed;

    Replacement(Table table, Optional<TimeRange> range, String commitId) {
      this.table = table;
      this.range = range;
      this.commitId = commitId;
    }

    @Override
    public void write(List<Row> rows) {
      checkOpen();
      table.checkRows(rows, range.orElse(TimeRange.all()));
      groupByPartition(rows, table.spec).forEach((id, partitionRows) ->
          staged.computeIfAbsent(id, x -> new ConcurrentLinkedQueue<>()).add(partitionRows));
      for (Row row : rows) {
        addedKeys.add(table.spec.keyOf(row));
      }
    }

    private void checkOpen() {
      if (closed || committed) {
        throw new IllegalStateException("replacement of '" + table.spec.name() + "' is already "
            + (committed ? "committed" : "closed"));
      }
    }

    @Override
    public Commit commit() {
      checkOpen();
      Map<Long, List<Row>> addedByPartition = new HashMap<>();
      long added = 0;
      for (Map.Entry<Long, ConcurrentLinkedQueue<List<Row>>> entry : staged.entrySet()) {
        List<Row> rows = new ArrayList<>();
        entry.getValue().forEach(rows::addAll);
        addedByPartition.put(entry.getKey(), rows);
        added += rows.size();
      }
      staged.clear();
      long deleted = 0;
      synchronized (table) {
        Version before = table.current;
        TreeMap<Long, Partition> partitions;
        if (range.isEmpty()) {
          deleted = before.rowCount;
          before.partitions.values().forEach(p -> p.chunks.forEach(c -> deletedKeys.addAll(c.latestByKey().keySet())));
          partitions = new TreeMap<>();
        } else {
          TimeRange r = range.get();
          partitions = new TreeMap<>(before.partitions);
          for (Map.Entry<Long, Partition> entry : partitionsOf(before, r).entrySet()) {
            List<Row> kept = new ArrayList<>();
            for (Chunk chunk : entry.getValue().chunks) {
              for (Row row : chunk.rows) {
                if (r.contains(table.spec.eventTimeOf(row))) {
                  deleted++;
                  deletedKeys.add(table.spec.keyOf(row));
                } else {
                  kept.add(row);
                }
              }
            }
            if (kept.isEmpty()) {
              partitions.remove(entry.getKey());
            } else if (kept.size() != entry.getValue().size) {
              partitions.put(entry.getKey(), Partition.of(new Chunk(kept, table.spec)));
            }
          }
        }
        addedByPartition.forEach((id, rows) -> addChunk(partitions, id, new Chunk(rows, table.spec), table.spec));
        table.current = new Version(partitions, before.rowCount - deleted + added);
        table.commitIds.add(commitId);
        committed = true;
      }
      return new Commit(deleted, added);
    }

    @Override
    public Stream<EntityKey> changedKeys() {
      return changed().stream();
    }

    /**
     * The changed keys are on the heap anyway: the others are checked against them. The others
     * come first, so that their listing (a scan of the online store, for a reset) runs before the
     * changed keys are written there, and does not list those keys again.
     */
    @Override
    public Stream<EntityKey> changedKeysAnd(Stream<EntityKey> others) {
      Set<EntityKey> changed = changed();
      return Stream.concat(others.filter(key -> !changed.contains(key)).distinct(), changed.stream());
    }

    private Set<EntityKey> changed() {
      if (!committed) {
        throw new IllegalStateException("changedKeys() is available after commit()");
      }
      Set<EntityKey> keys = new HashSet<>(deletedKeys);
      keys.addAll(addedKeys);
      return keys;
    }

    @Override
    public void close() {
      closed = true;
      staged.clear();
    }
  }
}
