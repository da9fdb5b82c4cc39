package dev.backfill.iceberg;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A staged replacement of a range (or of everything) in one Iceberg table. Rows are written to
 * Parquet files under the commit's own folder as they arrive; {@link #commit()} plans the files
 * to remove from the current snapshot and commits one {@code OverwriteFiles} that validates from
 * that snapshot: a commit of another process that added rows inside the range (or removed a file
 * this one removes) since then makes this commit fail with a {@link StoreException} and change
 * nothing, where Iceberg's default would silently delete those rows. The snapshot before the
 * commit is kept by a tag named after the commit id. Closing without a commit deletes the files.
 */
final class IcebergReplacement implements OfflineReplacement {
  private static final Logger log = LoggerFactory.getLogger(IcebergReplacement.class);
  static final String TAG_PREFIX = "backfill-before-";

  private final IcebergOfflineStore.Handle handle;
  private final TableLayout layout;
  private final Optional<TimeRange> range;
  private final String commitId;
  private final StagingLanes staged;
  private final StagedFiles kept;
  /** The latest staged row of each key, with its file: the companion need not read them back. */
  private final Map<EntityKey, LatestRows.Candidate> addedLatest = new HashMap<>();
  /**
   * The same per writing thread, merged into {@link #addedLatest} at the commit: each worker
   * keeps its own without a lock, as every row it writes goes through it.
   */
  private final Map<Thread, Map<EntityKey, LatestRows.Candidate>> threadLatest = new java.util.concurrent.ConcurrentHashMap<>();
  /** The snapshot the replacement read when it began (-1: none), which the commit validates from. */
  private final long readSnapshot;
  private final int eventTimeIndex;
  private final int[] keyIndexes;
  private volatile Optional<String> comment = Optional.empty();
  private volatile State state = State.OPEN;
  private Set<EntityKey> deletedKeys;
  private final Map<EntityKey, LatestRows.Candidate> keptLatest = new HashMap<>();
  private List<DataFile> removedFiles = List.of();
  /** Files written elsewhere ({@link IcebergDataFiles}) for this commit. */
  private final List<DataFile> external = java.util.Collections.synchronizedList(new ArrayList<>());

  private enum State { OPEN, COMMITTED, CLOSED, UNKNOWN }

  IcebergReplacement(IcebergOfflineStore.Handle handle, Optional<TimeRange> range, String commitId) {
    this.handle = handle;
    this.layout = handle.layout();
    this.range = range;
    this.commitId = commitId;
    this.staged = new StagingLanes(handle.main(), commitId);
    this.kept = new StagedFiles(handle.main(), commitId + "-kept");
    handle.main().refresh();
    Snapshot current = handle.main().currentSnapshot();
    this.readSnapshot = current == null ? -1 : current.snapshotId();
    this.eventTimeIndex = layout.spec().schema().indexOf(layout.spec().eventTimeColumn());
    this.keyIndexes = layout.spec().keyColumns().stream().mapToInt(layout.spec().schema()::indexOf).toArray();
  }

  @Override
  public void write(List<Row> rows) {
    checkOpen();
    TimeRange allowed = range.orElse(TimeRange.all());
    List<Record> records = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Instant t = (Instant) row.get(eventTimeIndex);
      if (t == null || !allowed.contains(t)) {
        throw new StoreException("offline store (iceberg): table '" + layout.spec().name() + "': row event time " + t
            + " is outside the replaced range " + allowed);
      }
      records.add(layout.toRecord(row));
    }
    String[] paths = staged.add(records);
    // The best row per key, by index rather than by column name, and a candidate made only for
    // a row that wins: this runs for every row the backfill writes.
    Map<EntityKey, LatestRows.Candidate> latest = threadLatest.computeIfAbsent(Thread.currentThread(),
        t -> new HashMap<>());
    for (int i = 0; i < paths.length; i++) {
      Row row = rows.get(i);
      EntityKey key = keyOf(row);
      LatestRows.Candidate before = latest.get(key);
      if (before == null || layout.spec().laterOf(before.row(), row) != before.row()) {
        latest.put(key, new LatestRows.Candidate(row, paths[i]));
      }
    }
  }

  /** Merges the threads' best rows into {@link #addedLatest}; once no write runs (at the commit). */
  private void mergeThreadLatest() {
    synchronized (addedLatest) {
      for (Map<EntityKey, LatestRows.Candidate> latest : threadLatest.values()) {
        latest.forEach((key, candidate) -> addedLatest.merge(key, candidate, this::later));
      }
      threadLatest.clear();
    }
  }

  Table table() {
    return handle.main();
  }

  String commitId() {
    return commitId;
  }

  dev.backfill.spi.TableSpec spec() {
    return layout.spec();
  }

  List<String> removedFileLocations() {
    if (state != State.COMMITTED) {
      throw new IllegalStateException("the removed files are known after commit()");
    }
    return removedFiles.stream().map(DataFile::location).toList();
  }

  /** Adds files written elsewhere to the commit ({@link IcebergDataFiles#attach}). */
  void attach(List<DataFile> files) {
    checkOpen();
    external.addAll(files);
  }

  /** The keys of the rows of the files written elsewhere. */
  private Stream<EntityKey> externalKeys() {
    Table table = handle.main();
    Schema keysOnly = table.schema().select(layout.spec().keyColumns());
    List<DataFile> files;
    synchronized (external) {
      files = List.copyOf(external);
    }
    return files.stream().flatMap(file -> FileReads.read(table, file, keysOnly, Expressions.alwaysTrue()).map(layout::keyOf));
  }

  private EntityKey keyOf(Row row) {
    if (keyIndexes.length == 1) {
      return EntityKey.of(row.get(keyIndexes[0]));
    }
    Object[] parts = new Object[keyIndexes.length];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = row.get(keyIndexes[i]);
    }
    return EntityKey.of(parts);
  }

  @Override
  public void comment(String text) {
    comment = Optional.of(text);
  }

  @Override
  public Commit commit() {
    checkOpen();
    mergeThreadLatest();
    Table table = handle.main();
    List<DataFile> added = new ArrayList<>(staged.finish());
    synchronized (external) {
      added.addAll(external);
    }
    long deleted = 0;
    long snapshotId;
    long parentId;
    handle.lock().lock();
    try {
      table.refresh();
      Snapshot base = table.currentSnapshot();
      Expression filter = range.map(layout::rangeFilter).orElse(Expressions.alwaysTrue());
      List<DataFile> removed = new ArrayList<>();
      Set<EntityKey> deletedKeys = new HashSet<>();
      if (base != null) {
        deleted = plan(table, base, filter, removed, deletedKeys);
      }
      added.addAll(kept.finish());
      OverwriteFiles overwrite = table.newOverwrite().scanManifestsWith(FileReads.DIRECT);
      removed.forEach(overwrite::deleteFile);
      added.forEach(overwrite::addFile);
      long validateFrom = validationBase(table, base);
      if (validateFrom != -1) {
        overwrite.validateFromSnapshot(validateFrom);
      }
      overwrite.conflictDetectionFilter(filter).validateNoConflictingData().validateNoConflictingDeletes();
      overwrite.set(COMMIT_ID_KEY, commitId);
      overwrite.set(IcebergOfflineStore.RANGE, range.map(r -> "[" + r.start() + ", " + r.stop() + ")").orElse("all"));
      overwrite.set(IcebergOfflineStore.RESET, Boolean.toString(range.isEmpty()));
      comment.ifPresent(c -> overwrite.set(IcebergOfflineStore.COMMENT, c));
      overwrite.commit();
      table.refresh();
      Snapshot committed = IcebergOfflineStore.committedSnapshot(table, commitId)
          .orElseThrow(() -> new StoreException("offline store (iceberg): the commit of '" + commitId
              + "' to table '" + table.name() + "' is not in its history after committing"));
      snapshotId = committed.snapshotId();
      parentId = committed.parentId() == null ? -1 : committed.parentId();
      state = State.COMMITTED;
      tagParent(table, committed);
      this.removedFiles = removed;
      this.deletedKeys = range.isPresent() ? deletedKeys : null;
      handle.own().add(snapshotId);
      state = State.COMMITTED;
    } catch (CommitStateUnknownException e) {
      // The files may now be part of the table: they must not be deleted.
      state = State.UNKNOWN;
      throw new StoreException("offline store (iceberg): the commit of '" + commitId + "' to table '" + table.name()
          + "' may or may not have happened (" + e.getMessage() + "); isCommitted tells once the catalog answers", e);
    } catch (ValidationException e) {
      throw new StoreException("offline store (iceberg): conflict: the replacement '" + commitId + "' of "
          + range.map(r -> "[" + r.start() + ", " + r.stop() + ")").orElse("every row") + " in table '" + table.name()
          + "' was not committed, because another commit changed rows it replaces after it read the table ("
          + e.getMessage() + "); nothing was changed: run the backfill again", e);
    } catch (RuntimeException e) {
      throw FileReads.failure("commit a replacement of", table.name(), e);
    } finally {
      handle.lock().unlock();
    }
    Map<EntityKey, LatestRows.Candidate> best;
    synchronized (addedLatest) {
      best = new HashMap<>(addedLatest);
    }
    keptLatest.forEach((key, candidate) -> best.merge(key, candidate, this::later));
    Set<String> files = new HashSet<>();
    added.forEach(file -> files.add(file.location()));
    List<DataFile> unread;
    synchronized (external) {
      unread = List.copyOf(external);
    }
    Set<String> removedPaths = new HashSet<>();
    removedFiles.forEach(file -> removedPaths.add(file.location()));
    try {
      handle.latest().catchUp(snapshotId, new LatestRows.Hint(files, best, parentId, removedPaths, deletedKeys, unread));
    } catch (RuntimeException e) {
      // The main commit stands; the companion catches up on its next read.
      log.warn("offline store (iceberg): table '{}': the latest rows did not follow commit '{}' yet ({}); "
          + "they will on the next read", table.name(), commitId, e.toString());
    }
    long addedRows = staged.rows();
    synchronized (external) {
      for (DataFile file : external) {
        addedRows += file.recordCount();
      }
    }
    keptLatest.clear();
    return new Commit(deleted, addedRows);
  }

  static final String COMMIT_ID_KEY = IcebergOfflineStore.COMMIT_ID;

  /**
   * Tags the snapshot the commit replaced, so that expiring snapshots keeps what a rollback to
   * before the backfill needs. A commit of its own right after the replacement's (Iceberg cannot
   * retry a tag inside the replacement's transaction when another process commits meanwhile): a
   * process killed in between leaves the backfill untagged, which is logged by nobody but harms
   * nothing until snapshots are expired.
   */
  private void tagParent(Table table, Snapshot committed) {
    if (committed.parentId() == null) {
      return;
    }
    try {
      table.manageSnapshots().createTag(TAG_PREFIX + commitId, committed.parentId()).commit();
    } catch (RuntimeException e) {
      log.warn("offline store (iceberg): table '{}': the snapshot before commit '{}' could not be tagged: {}",
          table.name(), commitId, e.toString());
    }
  }

  /**
   * The snapshot to validate from: the one read at the beginning, moved forward over the
   * snapshots this process committed since (they come first in the history after it); the first
   * snapshot of another process and everything after it are validated, so that a row another
   * process added inside the range since this replacement began fails the commit instead of being
   * deleted. The files to remove are planned from the current snapshot.
   */
  private long validationBase(Table table, Snapshot current) {
    if (current == null) {
      return readSnapshot;
    }
    List<Long> since = new ArrayList<>();
    for (Snapshot snapshot : org.apache.iceberg.util.SnapshotUtil.ancestorsOf(current.snapshotId(), table::snapshot)) {
      if (snapshot.snapshotId() == readSnapshot) {
        break;
      }
      since.add(snapshot.snapshotId());
    }
    long base = readSnapshot;
    for (int i = since.size() - 1; i >= 0 && handle.own().contains(since.get(i)); i--) {
      base = since.get(i);
    }
    return base;
  }

  /**
   * Finds the files of the base snapshot that hold rows of the range: a file wholly inside is
   * removed, a file that straddles a bound is removed and its rows outside the range rewritten.
   *
   * @return the number of rows deleted
   */
  private long plan(Table table, Snapshot base, Expression filter, List<DataFile> removed, Set<EntityKey> deletedKeys) {
    long deleted = 0;
    Schema keysAndTime = table.schema().select(keyAndTimeColumns());
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planWith(FileReads.DIRECT)
        // The files' event-time bounds tell which lie wholly inside the range: Iceberg drops
        // them from planned files unless asked.
        .useSnapshot(base.snapshotId()).filter(filter).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new StoreException("offline store (iceberg): table '" + table.name() + "' has row-level delete files "
              + "(written by another engine); Backfill replaces whole files only: compact the table first");
        }
        DataFile file = task.file();
        if (range.isEmpty()) {
          removed.add(file);
          deleted += file.recordCount();
        } else if (whollyInside(file, range.get())) {
          removed.add(file);
          deleted += file.recordCount();
          try (Stream<Record> records = FileReads.read(table, file, keysAndTime, Expressions.alwaysTrue())) {
            records.forEach(r -> deletedKeys.add(layout.keyOf(r)));
          }
        } else {
          long inRange;
          try (Stream<Record> records = FileReads.read(table, file, keysAndTime, Expressions.alwaysTrue())) {
            inRange = records.filter(r -> range.get().contains(layout.eventTimeOf(r))).count();
          }
          if (inRange == 0) {
            continue;
          }
          removed.add(file);
          deleted += inRange;
          try (Stream<Record> records = FileReads.read(table, file, table.schema(), Expressions.alwaysTrue())) {
            List<Record> batch = new ArrayList<>();
            for (Record record : (Iterable<Record>) records::iterator) {
              if (range.get().contains(layout.eventTimeOf(record))) {
                deletedKeys.add(layout.keyOf(record));
              } else {
                batch.add(record);
                if (batch.size() == 4096) {
                  keep(batch);
                  batch = new ArrayList<>();
                }
              }
            }
            keep(batch);
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return deleted;
  }

  /** Rewrites rows kept from a straddling file, noting the latest of each key for the companion. */
  private void keep(List<Record> records) {
    String[] paths = kept.add(records);
    for (int i = 0; i < paths.length; i++) {
      Row row = layout.toRow(records.get(i));
      keptLatest.merge(layout.spec().keyOf(row), new LatestRows.Candidate(row, paths[i]), this::later);
    }
  }

  private LatestRows.Candidate later(LatestRows.Candidate a, LatestRows.Candidate b) {
    return layout.spec().laterOf(a.row(), b.row()) == a.row() ? a : b;
  }

  private List<String> keyAndTimeColumns() {
    List<String> columns = new ArrayList<>(layout.spec().keyColumns());
    columns.add(layout.spec().eventTimeColumn());
    return columns;
  }

  private boolean whollyInside(DataFile file, TimeRange r) {
    int fieldId = handle.main().schema().findField(layout.spec().eventTimeColumn()).fieldId();
    if (file.lowerBounds() == null || file.upperBounds() == null
        || !file.lowerBounds().containsKey(fieldId) || !file.upperBounds().containsKey(fieldId)) {
      return false;
    }
    Long lower = Conversions.fromByteBuffer(Types.TimestampType.withZone(), file.lowerBounds().get(fieldId));
    Long upper = Conversions.fromByteBuffer(Types.TimestampType.withZone(), file.upperBounds().get(fieldId));
    return lower >= TableLayout.micros(r.start()) && upper < TableLayout.micros(r.stop());
  }

  /**
   * The keys the commit changed, grouped by their bucket of the table of latest rows, so that the
   * reconciliation's batches look up one bucket after another and each is read once.
   */
  @Override
  public Stream<EntityKey> changedKeys() {
    return byBucket(changed()).stream();
  }

  /**
   * The changed keys first, then the keys of {@code others} that are not among them: a reset
   * changes nearly every key the online store holds, and each key is reconciled once. The others
   * are read here, beside the changed keys already on the heap (those the online store has and
   * the table never had: few), so that the stream knows its size and the engine counts it
   * without listing the changed keys and the online store a second time.
   */
  @Override
  public Stream<EntityKey> changedKeysAnd(Stream<EntityKey> others) {
    Set<EntityKey> changed = changed();
    List<EntityKey> onlyOthers;
    try (others) {
      onlyOthers = others.filter(key -> !changed.contains(key)).distinct().toList();
    }
    return Stream.concat(byBucket(changed).stream(), onlyOthers.stream());
  }

  private Set<EntityKey> changed() {
    if (state != State.COMMITTED) {
      throw new IllegalStateException("changedKeys() is available after commit()");
    }
    Set<EntityKey> keys;
    synchronized (addedLatest) {
      keys = new HashSet<>(addedLatest.keySet());
    }
    try (Stream<EntityKey> written = externalKeys()) {
      written.forEach(keys::add);
    }
    if (deletedKeys != null) {
      keys.addAll(deletedKeys);
      return keys;
    }
    // A reset: the keys of every removed file, read from files the old snapshot still holds.
    Table table = handle.main();
    Schema keysOnly = table.schema().select(layout.spec().keyColumns());
    for (DataFile file : removedFiles) {
      try (Stream<Record> records = FileReads.read(table, file, keysOnly, Expressions.alwaysTrue())) {
        records.forEach(record -> keys.add(layout.keyOf(record)));
      }
    }
    return keys;
  }

  private static List<EntityKey> byBucket(Set<EntityKey> keys) {
    List<List<EntityKey>> buckets = new ArrayList<>();
    for (int b = 0; b < LatestRows.BUCKETS; b++) {
      buckets.add(new ArrayList<>());
    }
    keys.forEach(key -> buckets.get(LatestRows.bucket(key)).add(key));
    List<EntityKey> ordered = new ArrayList<>(keys.size());
    buckets.forEach(ordered::addAll);
    return ordered;
  }

  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.CLOSED;
      staged.discard();
      kept.discard();
    }
  }

  private void checkOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("replacement '" + commitId + "' of '" + layout.spec().name() + "' is already "
          + state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }
}
