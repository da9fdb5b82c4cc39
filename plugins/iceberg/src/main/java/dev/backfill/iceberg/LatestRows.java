package dev.backfill.iceberg;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.TableSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The companion table of a feature set's latest row per key, which {@code latest(keys)} and the
 * listing of all keys read instead of the main table.
 *
 * <p>Iceberg commits one table at a time, so the companion cannot change in the main table's
 * commit. Instead each of its snapshots records in its summary ({@value #MAIN_SNAPSHOT}) the
 * main snapshot it reflects, and is brought up to date ({@link #catchUp}) right after each replacement of this
 * process and, before any read, whenever the main table has moved on (a crash between the two
 * commits, another process's commit, appends): the rule is that the companion is a function of
 * the recorded main snapshot, so catching up again is always safe.
 *
 * <p>A catch-up compares the data files of the two main snapshots. Each companion row keeps the
 * path of the main data file its row lives in, so a key whose latest row was in a removed file is
 * known; its new latest row is the later of the best row of the added files and, only when a
 * kept file could hold a later row (its upper event-time bound says so), a search of the kept
 * files newest first for that key. The companion is partitioned into {@value #BUCKETS} buckets
 * of the key's hash; only the buckets of the keys touched are rewritten, in one commit that
 * validates no other catch-up committed meanwhile (else it starts again).
 */
final class LatestRows {
  static final String MAIN_SNAPSHOT = "backfill.main-snapshot";
  static final int BUCKETS = 16;
  private static final String FILE = "_backfill_file";
  private static final String BUCKET = "_backfill_bucket";
  private static final int ATTEMPTS = 8;

  private final Catalog catalog;
  private final TableIdentifier id;
  private final Table main;
  private final TableLayout layout;
  private final ReentrantLock lock;
  private final BucketCache cache = new BucketCache(BucketCache.MAX_ROWS);
  private Table companion;

  LatestRows(Catalog catalog, TableIdentifier id, Table main, TableLayout layout, ReentrantLock lock) {
    this.catalog = catalog;
    this.id = id;
    this.main = main;
    this.layout = layout;
    this.lock = lock;
  }

  /** Creates the companion of a new main table, replacing one a dropped table left behind. */
  static void create(Catalog catalog, TableIdentifier id, TableLayout layout) {
    catalog.dropTable(id, true);
    Schema schema = schema(layout);
    catalog.buildTable(id, schema)
        .withPartitionSpec(PartitionSpec.builderFor(schema).identity(BUCKET).build())
        .withProperty(TableProperties.FORMAT_VERSION, "2")
        .withProperty(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
        .withProperty(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20")
        .create();
  }

  private static Schema schema(TableLayout layout) {
    List<Types.NestedField> columns = new ArrayList<>(layout.schema().columns());
    int next = columns.size() + 1;
    columns.add(Types.NestedField.required(next, FILE, Types.StringType.get()));
    columns.add(Types.NestedField.required(next + 1, BUCKET, Types.IntegerType.get()));
    return new Schema(columns);
  }

  static int bucket(EntityKey key) {
    return Math.floorMod(key.hashCode(), BUCKETS);
  }

  /**
   * The latest row of each key that has rows, as of the main table's current snapshot. Reads the
   * buckets of the keys whole, each at most once per companion snapshot while the
   * {@link BucketCache} holds it: the keys of one batch fall into nearly every bucket, so a
   * key-filtered read per batch re-read the whole companion for every batch of a reconciliation.
   */
  Map<EntityKey, Row> latest(Collection<EntityKey> keys) {
    Map<EntityKey, Row> latest = new HashMap<>();
    if (keys.isEmpty()) {
      return latest;
    }
    Snapshot snapshot = upToDate();
    if (snapshot == null) {
      return latest;
    }
    Map<Integer, List<EntityKey>> byBucket = new HashMap<>();
    for (EntityKey key : keys) {
      byBucket.computeIfAbsent(bucket(key), b -> new ArrayList<>()).add(key);
    }
    Set<EntityKey> wanted = new HashSet<>();
    Map<Integer, Map<EntityKey, Candidate>> reading = new HashMap<>();
    byBucket.forEach((b, bucketKeys) -> {
      Optional<Map<EntityKey, Candidate>> held = cache.get(snapshot.snapshotId(), b);
      if (held.isPresent()) {
        for (EntityKey key : bucketKeys) {
          Candidate candidate = held.get().get(key);
          if (candidate != null) {
            latest.put(key, candidate.row);
          }
        }
      } else {
        wanted.addAll(bucketKeys);
        reading.put(b, new HashMap<>());
      }
    });
    if (reading.isEmpty()) {
      return latest;
    }
    int columns = layout.spec().schema().size();
    long held = 0;
    boolean hold = true;
    try (Stream<Record> records = FileReads.stream(IcebergGenerics.read(companion).useSnapshot(snapshot.snapshotId())
        .where(Expressions.in(BUCKET, reading.keySet().toArray())).build(), main.name())) {
      for (Record record : (Iterable<Record>) records::iterator) {
        EntityKey key = layout.keyOf(record);
        boolean asked = wanted.contains(key);
        if (!asked && !hold) {
          continue;
        }
        Candidate candidate = new Candidate(layout.toRow(record), record.get(columns).toString());
        if (asked) {
          latest.put(key, candidate.row);
        }
        if (hold) {
          reading.get((Integer) record.get(columns + 1)).put(key, candidate);
          // Buckets too large to hold are read for the asked keys only, and again next time.
          hold = cache.fits(++held);
          if (!hold) {
            reading.values().forEach(Map::clear);
          }
        }
      }
    }
    if (hold) {
      reading.forEach((b, whole) -> cache.put(snapshot.snapshotId(), b, whole));
    }
    return latest;
  }

  /** Every key with rows, once each, as of the main table's current snapshot. */
  Stream<EntityKey> keys() {
    Snapshot snapshot = upToDate();
    if (snapshot == null) {
      return Stream.empty();
    }
    return FileReads.stream(IcebergGenerics.read(companion).useSnapshot(snapshot.snapshotId())
        .select(layout.spec().keyColumns()).build(), main.name()).map(layout::keyOf);
  }

  /** Pushes a key filter into the read where Parquet statistics can use it. */
  private Expression keyFilter(Set<EntityKey> keys) {
    TableSpec spec = layout.spec();
    if (spec.keyColumns().size() != 1) {
      return Expressions.alwaysTrue();
    }
    String column = spec.keyColumns().get(0);
    FieldType type = spec.schema().field(column).orElseThrow().type();
    if (type != FieldType.STRING && type != FieldType.LONG) {
      return Expressions.alwaysTrue();
    }
    return Expressions.in(column, keys.stream().map(k -> k.parts().get(0)).toArray());
  }

  /** Catches up with the main table's current snapshot; the companion's snapshot to read. */
  private Snapshot upToDate() {
    lock.lock();
    try {
      main.refresh();
      Snapshot current = main.currentSnapshot();
      catchUp(current == null ? -1 : current.snapshotId());
      return companion.currentSnapshot();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Brings the companion to the main snapshot {@code target} (-1: the empty table), unless it
   * already reflects it or a later snapshot of the same history.
   */
  void catchUp(long target) {
    catchUp(target, Hint.NONE);
  }

  /**
   * As {@link #catchUp(long)}, with what the caller already knows of some added files: the best
   * row per key among them, so that they need not be read back.
   */
  void catchUp(long target, Hint hint) {
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          if (tryCatchUp(target, hint)) {
            return;
          }
        } catch (ValidationException | CommitFailedException e) {
          if (attempt == ATTEMPTS) {
            throw new StoreException("offline store (iceberg): table '" + main.name() + "': the latest rows could "
                + "not follow snapshot " + target + " after " + ATTEMPTS + " attempts, other processes kept "
                + "committing: " + e.getMessage(), e);
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private Table companion() {
    if (companion == null) {
      try {
        companion = catalog.loadTable(id);
      } catch (NoSuchTableException e) {
        create(catalog, id, layout);
        companion = catalog.loadTable(id);
      }
    }
    return companion;
  }

  private boolean tryCatchUp(long target, Hint hint) {
    Table table = companion();
    table.refresh();
    main.refresh();
    Snapshot recordedIn = table.currentSnapshot();
    String recorded = recordedIn == null ? null : recordedIn.summary().get(MAIN_SNAPSHOT);
    long from = recorded == null ? -1 : Long.parseLong(recorded);
    if (from == target) {
      return true;
    }
    boolean fromKnown = from != -1 && main.snapshot(from) != null;
    if (fromKnown && target != -1 && main.snapshot(target) != null && SnapshotUtil.isAncestorOf(main, from, target)) {
      // Another process already caught up further along the same history.
      return true;
    }
    Snapshot targetSnapshot = target == -1 ? null : main.snapshot(target);
    // The commit this process just made on the very snapshot the companion reflects: its own
    // lists of added and removed files and of the removed files' keys say what changed, so that
    // neither snapshot's files are listed (a listing costs in proportion to the whole table).
    boolean direct = fromKnown && hint.removedKeys != null && hint.parent == from && targetSnapshot != null
        && targetSnapshot.parentId() != null && targetSnapshot.parentId() == from;
    Set<String> added;
    Set<String> removed;
    Map<String, DataFile> before = null;
    List<DataFile> unchanged = null;
    Map<EntityKey, Candidate> best = new HashMap<>();
    if (direct) {
      added = hint.files;
      removed = hint.removed;
      best.putAll(hint.best);
      hint.unread.forEach(file -> readLatest(main, file, best));
    } else {
      Map<String, DataFile> now = target == -1 ? Map.of() : files(target);
      before = fromKnown ? files(from) : null;
      Map<String, DataFile> addedFiles = new HashMap<>(now);
      removed = new HashSet<>();
      unchanged = new ArrayList<>();
      if (before != null) {
        addedFiles.keySet().removeAll(before.keySet());
        for (Map.Entry<String, DataFile> file : before.entrySet()) {
          if (now.containsKey(file.getKey())) {
            unchanged.add(file.getValue());
          } else {
            removed.add(file.getKey());
          }
        }
      }
      added = addedFiles.keySet();
      hint.best.forEach((key, candidate) -> {
        if (addedFiles.containsKey(candidate.file)) {
          best.merge(key, candidate, this::later);
        }
      });
      for (DataFile file : addedFiles.values()) {
        if (!hint.saw(file.location())) {
          readLatest(main, file, best);
        }
      }
    }
    Snapshot base = table.currentSnapshot();
    Map<Integer, Map<EntityKey, Candidate>> buckets = new HashMap<>();
    boolean rebuild = !direct && (before == null || unchanged.isEmpty());
    if (rebuild) {
      for (int b = 0; b < BUCKETS; b++) {
        buckets.put(b, new HashMap<>());
      }
      best.forEach((key, candidate) -> buckets.get(bucket(key)).put(key, candidate));
    } else {
      Set<EntityKey> touched = new HashSet<>(best.keySet());
      if (direct) {
        touched.addAll(hint.removedKeys);
      } else {
        Schema keysOnly = main.schema().select(layout.spec().keyColumns());
        for (String path : removed) {
          try (Stream<Record> records = FileReads.read(main, before.get(path), keysOnly, Expressions.alwaysTrue())) {
            records.forEach(record -> touched.add(layout.keyOf(record)));
          }
        }
      }
      touched.forEach(key -> buckets.computeIfAbsent(bucket(key), b -> new HashMap<>()));
      if (base != null) {
        readBuckets(table, base, buckets);
      }
      Map<EntityKey, Instant> searchAfter = new HashMap<>();
      for (EntityKey key : touched) {
        Map<EntityKey, Candidate> rows = buckets.get(bucket(key));
        Candidate current = rows.get(key);
        Candidate fresh = best.get(key);
        if (current != null && !removed.contains(current.file)) {
          rows.put(key, later(current, fresh));
        } else if (current != null) {
          // Its latest row was removed: a kept file may hold a row later than the added ones.
          rows.remove(key);
          if (fresh != null) {
            rows.put(key, fresh);
          }
          searchAfter.put(key, fresh == null ? Instant.MIN : layout.spec().eventTimeOf(fresh.row));
        } else if (fresh != null) {
          rows.put(key, fresh);
        }
      }
      if (!searchAfter.isEmpty()) {
        search(unchanged != null ? unchanged : kept(target, added, searchAfter.values()), searchAfter, buckets);
      }
    }
    commit(table, base, buckets, target, rebuild);
    return true;
  }

  /**
   * Finds in the kept files the latest row of each key later than its bound, newest files
   * first, stopping for a key as soon as no unread file can hold a later row of it.
   */
  private void search(List<DataFile> kept, Map<EntityKey, Instant> after, Map<Integer, Map<EntityKey, Candidate>> buckets) {
    if (after.isEmpty()) {
      return;
    }
    int timeId = main.schema().findField(layout.spec().eventTimeColumn()).fieldId();
    List<DataFile> newestFirst = new ArrayList<>(kept);
    newestFirst.sort(Comparator.comparing((DataFile f) -> upper(f, timeId)).reversed());
    Map<EntityKey, Instant> bound = new HashMap<>(after);
    for (DataFile file : newestFirst) {
      Instant upper = upper(file, timeId);
      // A file whose upper bound equals a key's found time may hold a row of that time that wins
      // the tie on the other columns: only a strictly later find settles the key.
      bound.values().removeIf(t -> t.isAfter(upper));
      if (bound.isEmpty()) {
        return;
      }
      Set<EntityKey> wanted = new HashSet<>(bound.keySet());
      try (Stream<Record> records = FileReads.read(main, file, main.schema(), keyFilter(wanted))) {
        records.forEach(record -> {
          EntityKey key = layout.keyOf(record);
          if (wanted.contains(key)) {
            Candidate found = new Candidate(layout.toRow(record), file.location());
            Map<EntityKey, Candidate> rows = buckets.get(bucket(key));
            Candidate chosen = later(rows.get(key), found);
            rows.put(key, chosen);
            bound.put(key, layout.spec().eventTimeOf(chosen.row));
          }
        });
      }
    }
  }

  /**
   * The files of the main snapshot {@code target} that are not in {@code added} and may hold a
   * row at or after the earliest of the bounds: partition pruning skips the rest unread.
   */
  private List<DataFile> kept(long target, Set<String> added, Collection<Instant> bounds) {
    Instant earliest = bounds.stream().min(Comparator.naturalOrder()).orElseThrow();
    Expression filter = earliest.equals(Instant.MIN) ? Expressions.alwaysTrue()
        : Expressions.greaterThanOrEqual(layout.spec().eventTimeColumn(), TableLayout.micros(earliest));
    List<DataFile> kept = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = main.newScan().planWith(FileReads.DIRECT).useSnapshot(target)
        .filter(filter).includeColumnStats().planFiles()) {
      tasks.forEach(task -> {
        if (!added.contains(task.file().location())) {
          kept.add(task.file());
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return kept;
  }

  private static Instant upper(DataFile file, int fieldId) {
    if (file.upperBounds() == null || !file.upperBounds().containsKey(fieldId)) {
      return Instant.MAX;
    }
    Long micros = Conversions.fromByteBuffer(Types.TimestampType.withZone(), file.upperBounds().get(fieldId));
    return TableLayout.instantOfMicros(micros);
  }

  /** Fills each bucket with its rows of the companion snapshot {@code base}, from the cache where it holds them. */
  private void readBuckets(Table table, Snapshot base, Map<Integer, Map<EntityKey, Candidate>> buckets) {
    Set<Integer> unread = new HashSet<>();
    buckets.forEach((b, rows) -> cache.get(base.snapshotId(), b).ifPresentOrElse(rows::putAll, () -> unread.add(b)));
    if (unread.isEmpty()) {
      return;
    }
    int columns = layout.spec().schema().size();
    try (Stream<Record> records = FileReads.stream(IcebergGenerics.read(table).useSnapshot(base.snapshotId())
        .where(Expressions.in(BUCKET, unread.toArray())).build(), main.name())) {
      records.forEach(record -> {
        int b = (Integer) record.get(columns + 1);
        Map<EntityKey, Candidate> rows = buckets.get(b);
        if (rows != null) {
          rows.put(layout.keyOf(record), new Candidate(layout.toRow(record), record.get(columns).toString()));
        }
      });
    }
  }

  private void commit(Table table, Snapshot base, Map<Integer, Map<EntityKey, Candidate>> buckets, long target,
      boolean everything) {
    List<DataFile> old = new ArrayList<>();
    if (base != null) {
      Expression filter = everything ? Expressions.alwaysTrue() : Expressions.in(BUCKET, buckets.keySet().toArray());
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planWith(FileReads.DIRECT).useSnapshot(base.snapshotId()).filter(filter).planFiles()) {
        tasks.forEach(task -> old.add(task.file()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    StagedFiles written = new StagedFiles(table, "catch-up-" + target + "-" + java.util.UUID.randomUUID());
    try {
      GenericRecord template = GenericRecord.create(table.schema());
      int columns = layout.spec().schema().size();
      for (Map.Entry<Integer, Map<EntityKey, Candidate>> entry : buckets.entrySet()) {
        List<Record> records = new ArrayList<>();
        for (Candidate candidate : entry.getValue().values()) {
          Record main = layout.toRecord(candidate.row);
          GenericRecord record = template.copy();
          for (int i = 0; i < columns; i++) {
            record.set(i, main.get(i));
          }
          record.set(columns, candidate.file);
          record.set(columns + 1, entry.getKey());
          records.add(record);
        }
        written.add(records);
      }
      List<DataFile> fresh = written.finish();
      OverwriteFiles overwrite = table.newOverwrite().scanManifestsWith(FileReads.DIRECT);
      old.forEach(overwrite::deleteFile);
      fresh.forEach(overwrite::addFile);
      if (base != null) {
        overwrite.validateFromSnapshot(base.snapshotId());
      }
      overwrite.conflictDetectionFilter(Expressions.alwaysTrue()).validateNoConflictingData().validateNoConflictingDeletes();
      overwrite.set(MAIN_SNAPSHOT, Long.toString(target));
      overwrite.commit();
      hold(table, base, buckets, target);
    } catch (RuntimeException e) {
      if (!(e instanceof org.apache.iceberg.exceptions.CommitStateUnknownException)) {
        written.discard();
      }
      throw e;
    }
  }

  /**
   * Hands the buckets just written to the cache, as of the companion snapshot the commit made:
   * the reconciliation that follows a commit looks up exactly the keys of these buckets. The
   * snapshot is recognised as this commit's (the table's current one right after the commit,
   * child of the base and naming the target); otherwise nothing is held.
   */
  private void hold(Table table, Snapshot base, Map<Integer, Map<EntityKey, Candidate>> buckets, long target) {
    Snapshot committed = table.currentSnapshot();
    Long parent = committed == null ? null : committed.parentId();
    boolean ours = committed != null && Long.toString(target).equals(committed.summary().get(MAIN_SNAPSHOT))
        && (base == null ? parent == null : parent != null && parent == base.snapshotId());
    long rows = buckets.values().stream().mapToLong(Map::size).sum();
    if (!ours || !cache.fits(rows)) {
      return;
    }
    // The maps were built for this commit and are not changed after it.
    buckets.forEach((b, candidates) -> cache.put(committed.snapshotId(), b, candidates));
  }

  private Map<String, DataFile> files(long snapshotId) {
    Map<String, DataFile> files = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = main.newScan().planWith(FileReads.DIRECT).useSnapshot(snapshotId)
        // Without it Iceberg drops the files' bounds, which the search of kept files reads.
        .includeColumnStats().planFiles()) {
      tasks.forEach(task -> files.put(task.file().location(), task.file()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private Candidate later(Candidate a, Candidate b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return layout.spec().laterOf(a.row, b.row) == a.row ? a : b;
  }

  /** Merges the latest row of every key in one data file into {@code best}. */
  private void readLatest(Table main, DataFile file, Map<EntityKey, Candidate> best) {
    try (Stream<Record> records = FileReads.read(main, file, main.schema(), Expressions.alwaysTrue())) {
      records.forEach(record -> best.merge(layout.keyOf(record), new Candidate(layout.toRow(record), file.location()),
          this::later));
    }
  }

  /** A latest row and the main data file that holds it. */
  record Candidate(Row row, String file) {}

  /**
   * What a committer knows of the files its commit added and removed.
   *
   * @param files every added file the hint covers (a file without a key's best row included)
   * @param best the latest row of each key among those files, with its file
   * @param parent the main snapshot the commit was made on (-1: unknown)
   * @param removed the paths of the files the commit removed
   * @param removedKeys every key with a row in a removed file, or null when not known; with it
   *     (and {@code files} covering every added file) a catch-up from {@code parent} lists no files
   * @param unread added files among {@code files} whose rows the committer did not see (written
   *     elsewhere, by a Spark executor): the catch-up reads them for their keys' latest rows
   */
  record Hint(Set<String> files, Map<EntityKey, Candidate> best, long parent, Set<String> removed,
      Set<EntityKey> removedKeys, List<DataFile> unread) {
    static final Hint NONE = new Hint(Set.of(), Map.of(), -1, Set.of(), null, List.of());

    boolean saw(String file) {
      return files.contains(file) && unread.stream().noneMatch(f -> f.location().equals(file));
    }
  }
}
