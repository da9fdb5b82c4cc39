package dev.backfill.iceberg;

import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.TableNames;
import dev.backfill.spi.TableSpec;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The offline store on Apache Iceberg tables: one table per feature set in the options'
 * namespace, partitioned by the event time, its spec kept in the table's properties so that any
 * process opening the catalog can use it.
 *
 * <p>Every write is one Iceberg commit: an append, or a replacement ({@link IcebergReplacement})
 * that removes the files of the range, rewrites the rows outside the range of the files that
 * straddle it, adds the new files, and validates that no commit since the snapshot it read
 * added rows in the range. Scans read one snapshot. {@link #latest} reads a companion table of
 * the latest row per key ({@link LatestRows}), which follows the main table by its own commits.
 *
 * <p>Thread-safe. Commits of one table are serialised within the process (Iceberg's optimistic
 * concurrency and the replacement's validation take care of other processes); scans never wait.
 */
public final class IcebergOfflineStore implements OfflineStore {
  static final String COMMIT_ID = "backfill.commit-id";
  static final String RANGE = "backfill.range";
  static final String RESET = "backfill.reset";
  static final String COMMENT = "backfill.comment";

  private final IcebergOptions options;
  private final Catalog catalog;
  private final Namespace namespace;
  private final Namespace latestNamespace;
  private final Map<String, Handle> handles = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private IcebergOfflineStore(IcebergOptions options, Catalog catalog) {
    this.options = options;
    this.catalog = catalog;
    this.namespace = Namespace.of(options.namespace());
    this.latestNamespace = Namespace.of(options.namespace() + "_latest");
  }

  /** Opens the catalog the options name; tables are loaded when first used. */
  public static IcebergOfflineStore open(IcebergOptions options) {
    return new IcebergOfflineStore(Objects.requireNonNull(options, "options"), Catalogs.open(options));
  }

  /** A store whose catalog gets extra properties: for tests that put a file IO of their own in. */
  static IcebergOfflineStore open(IcebergOptions options, Map<String, String> catalogProperties) {
    return new IcebergOfflineStore(options, Catalogs.open(options, catalogProperties));
  }

  /** Set once by the provider: the options the store was made from. */
  private volatile Optional<dev.backfill.spi.PluginDefinition> definition = Optional.empty();

  void definedBy(dev.backfill.spi.PluginDefinition made) {
    this.definition = Optional.of(made);
  }

  /** The type {@code iceberg} and the options, when the store was made by its provider. */
  @Override
  public Optional<dev.backfill.spi.PluginDefinition> definition() {
    return definition;
  }

  /** The Iceberg table of a feature set, for tools and tests that use Iceberg's own API. */
  public Table icebergTable(String name) {
    Handle handle = handle(name, "open");
    handle.main.refresh();
    return handle.main;
  }

  @Override
  public String toString() {
    return "Iceberg offline store (" + options.catalog() + " catalog" + options.uri().map(u -> " " + u).orElse("")
        + ", warehouse " + options.warehouse() + ", namespace " + options.namespace() + ")";
  }

  @Override
  public void createTable(TableSpec spec) {
    Objects.requireNonNull(spec, "spec");
    checkOpen();
    synchronized (this) {
      ensureNamespace(namespace);
      ensureNamespace(latestNamespace);
      List<String> existing = catalog.listTables(namespace).stream().map(TableIdentifier::name).toList();
      TableNames.requireNoCaseTwin(this, spec.name(), existing);
      TableLayout layout = new TableLayout(spec);
      boolean created = false;
      if (!existing.contains(spec.name())) {
        try {
          catalog.buildTable(id(spec.name()), layout.schema())
              .withPartitionSpec(TableLayout.partitionSpec(layout.schema(), spec.eventTimeColumn(), options.partitioning()))
              .withProperties(tableProperties(spec))
              .create();
          created = true;
        } catch (AlreadyExistsException e) {
          // Another process created it meanwhile: its spec is compared below.
        }
      }
      if (created) {
        handles.remove(spec.name());
        LatestRows.create(catalog, latestId(spec.name()), layout);
      }
      TableSpec stored = handle(spec.name(), "create").layout.spec();
      if (!stored.equals(spec)) {
        throw new InvalidFeatureSetException("offline store (iceberg): table '" + spec.name() + "' exists as " + stored
            + "; it cannot be re-created as " + spec);
      }
    }
  }

  private static Map<String, String> tableProperties(TableSpec spec) {
    Map<String, String> properties = new java.util.HashMap<>(TableLayout.properties(spec));
    properties.put(TableProperties.FORMAT_VERSION, "2");
    // Bounded buffers per open file: a staging replacement keeps several partitions open.
    properties.put(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Long.toString(16L << 20));
    // Old metadata files are removed as new ones are written, instead of piling up.
    properties.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    properties.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "50");
    properties.put(TableProperties.COMMIT_NUM_RETRIES, "10");
    return properties;
  }

  private void ensureNamespace(Namespace ns) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(ns)) {
      try {
        namespaces.createNamespace(ns);
      } catch (AlreadyExistsException e) {
        // Made by another process meanwhile.
      }
    }
  }

  @Override
  public Optional<TableSpec> table(String name) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    Handle cached = handles.get(name);
    if (cached != null) {
      return Optional.of(cached.layout.spec());
    }
    if (!catalog.tableExists(id(name))) {
      return Optional.empty();
    }
    return Optional.of(handle(name, "read").layout.spec());
  }

  @Override
  public void append(String table, List<Row> rows) {
    Handle handle = handle(table, "append to");
    if (rows.isEmpty()) {
      return;
    }
    StagedFiles files = new StagedFiles(handle.main, "append-" + UUID.randomUUID());
    try {
      files.add(rows.stream().map(handle.layout::toRecord).toList());
      handle.appends.append(files.finish());
    } catch (RuntimeException e) {
      if (!(e instanceof org.apache.iceberg.exceptions.CommitStateUnknownException)) {
        files.discard();
      }
      throw FileReads.failure("append to", table, e);
    }
  }

  @Override
  public OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(commitId, "commitId");
    return new IcebergReplacement(handle(table, "replace in"), range, commitId);
  }

  @Override
  public boolean isCommitted(String table, String commitId) {
    Handle handle = handle(table, "look up commits of");
    handle.main.refresh();
    return committedSnapshot(handle.main, commitId).isPresent();
  }

  /** The snapshot of the current history whose summary carries the commit id. */
  static Optional<Snapshot> committedSnapshot(Table table, String commitId) {
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return Optional.empty();
    }
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(current.snapshotId(), table::snapshot)) {
      if (commitId.equals(snapshot.summary().get(COMMIT_ID))) {
        return Optional.of(snapshot);
      }
    }
    return Optional.empty();
  }

  /**
   * Deletes the folders the replacement's files were written to ({@code data/<commit id>} and
   * {@code data/<commit id>-kept}), unless the commit id is in the table's history.
   */
  @Override
  public void discardStaged(String table, String commitId) {
    Handle handle = handle(table, "discard what was staged in");
    if (isCommitted(table, commitId)) {
      return;
    }
    for (String folder : List.of(StagedFiles.stagingFolder(handle.main, commitId),
        StagedFiles.stagingFolder(handle.main, commitId + "-kept"))) {
      deleteFolder(handle.main.io(), folder);
    }
  }

  private static void deleteFolder(org.apache.iceberg.io.FileIO io, String folder) {
    try {
      if (io instanceof org.apache.iceberg.io.SupportsPrefixOperations prefixes) {
        prefixes.deletePrefix(folder);
      } else if (folder.startsWith("file:")) {
        deleteTree(LocalFileIO.file(folder).toPath());
      }
    } catch (IOException | RuntimeException e) {
      throw new StoreException("offline store (iceberg): cannot delete the folder " + folder + ": " + e, e);
    }
  }

  private static void deleteTree(java.nio.file.Path folder) throws IOException {
    if (!java.nio.file.Files.exists(folder)) {
      return;
    }
    try (Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(folder)) {
      for (java.nio.file.Path path : (Iterable<java.nio.file.Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        java.nio.file.Files.deleteIfExists(path);
      }
    }
  }

  @Override
  public Stream<Row> scan(String table, TimeRange range) {
    Objects.requireNonNull(range, "range");
    Handle handle = handle(table, "scan");
    try {
      handle.main.refresh();
      Snapshot snapshot = handle.main.currentSnapshot();
      if (snapshot == null) {
        return Stream.empty();
      }
      TableLayout layout = handle.layout;
      String eventTime = layout.spec().eventTimeColumn();
      return FileReads.stream(IcebergGenerics.read(handle.main).useSnapshot(snapshot.snapshotId())
              .where(layout.rangeFilter(range)).build(), table)
          .map(layout::toRow)
          .filter(row -> range.contains(row.getInstant(eventTime)));
    } catch (RuntimeException e) {
      throw FileReads.failure("scan", table, e);
    }
  }

  @Override
  public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
    Handle handle = handle(table, "read the latest rows of");
    try {
      return handle.latest.latest(keys);
    } catch (RuntimeException e) {
      throw FileReads.failure("read the latest rows of", table, e);
    }
  }

  @Override
  public Stream<EntityKey> keys(String table, TimeRange range) {
    Objects.requireNonNull(range, "range");
    Handle handle = handle(table, "list the keys of");
    try {
      if (range.equals(TimeRange.all())) {
        return handle.latest.keys();
      }
      handle.main.refresh();
      Snapshot snapshot = handle.main.currentSnapshot();
      if (snapshot == null) {
        return Stream.empty();
      }
      TableLayout layout = handle.layout;
      List<String> columns = new java.util.ArrayList<>(layout.spec().keyColumns());
      columns.add(layout.spec().eventTimeColumn());
      Stream<Record> records = FileReads.stream(IcebergGenerics.read(handle.main).useSnapshot(snapshot.snapshotId())
          .where(layout.rangeFilter(range)).select(columns).build(), table);
      return records.filter(r -> range.contains(layout.eventTimeOf(r))).map(layout::keyOf).distinct();
    } catch (RuntimeException e) {
      throw FileReads.failure("list the keys of", table, e);
    }
  }

  @Override
  public void dropTable(String name) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    synchronized (this) {
      try {
        // The main table carries the spec: once it is gone the feature set is gone, and a
        // companion left by a crash here is replaced when the table is created again.
        List<Table> dropped = new java.util.ArrayList<>();
        for (TableIdentifier table : List.of(id(name), latestId(name))) {
          if (catalog.tableExists(table)) {
            dropped.add(catalog.loadTable(table));
          }
        }
        catalog.dropTable(id(name), true);
        catalog.dropTable(latestId(name), true);
        // The purge deletes the files the metadata lists; what no snapshot lists (files of
        // failed writes, empty folders) goes with the table's folder.
        for (Table table : dropped) {
          deleteFolder(table.io(), table.location());
        }
      } catch (RuntimeException e) {
        throw FileReads.failure("drop", name, e);
      } finally {
        handles.remove(name);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (catalog instanceof java.io.Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        throw new StoreException("offline store (iceberg): closing the catalog: " + e.getMessage(), e);
      }
    }
  }

  private TableIdentifier id(String name) {
    return TableIdentifier.of(namespace, name);
  }

  private TableIdentifier latestId(String name) {
    return TableIdentifier.of(latestNamespace, name);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException(this + " is closed");
    }
  }

  private Handle handle(String name, String action) {
    Objects.requireNonNull(name, "table");
    checkOpen();
    Handle cached = handles.get(name);
    if (cached != null) {
      return cached;
    }
    try {
      Table main = catalog.loadTable(id(name));
      TableSpec spec = TableLayout.specOf(name, main).orElseThrow(() -> new StoreException("offline store (iceberg): "
          + "table '" + name + "' of namespace " + namespace + " was not made by Backfill (its properties hold no "
          + TableLayout.KEY_COUNT + " and " + TableLayout.EVENT_TIME + "); use another feature set name"));
      TableLayout layout = new TableLayout(spec);
      ReentrantLock lock = new ReentrantLock();
      Set<Long> own = ConcurrentHashMap.newKeySet();
      GroupAppends appends = new GroupAppends(lock, files -> {
        String appendId = "append-" + UUID.randomUUID();
        AppendFiles append = main.newAppend().scanManifestsWith(FileReads.DIRECT);
        files.forEach(append::appendFile);
        append.set(COMMIT_ID, appendId);
        append.commit();
        committedSnapshot(main, appendId).ifPresent(s -> own.add(s.snapshotId()));
      });
      Handle handle = new Handle(layout, main, new LatestRows(catalog, latestId(name), main, layout, lock), lock, appends,
          own);
      Handle raced = handles.putIfAbsent(name, handle);
      return raced != null ? raced : handle;
    } catch (NoSuchTableException e) {
      throw new StoreException("offline store (iceberg): cannot " + action + " table '" + name
          + "': it does not exist; register the feature set first");
    }
  }

  /**
   * What the store keeps per open table: {@code lock} serialises the process's commits to it;
   * {@code own} holds the ids of the snapshots this store committed, which a replacement need not
   * validate against (they are this process's own ingest and disjoint replacements, which the
   * engine already orders), where a snapshot of another process is always validated.
   */
  record Handle(TableLayout layout, Table main, LatestRows latest, ReentrantLock lock, GroupAppends appends,
      Set<Long> own) {}
}
