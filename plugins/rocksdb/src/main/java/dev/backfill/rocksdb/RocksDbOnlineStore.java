package dev.backfill.rocksdb;

import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.ChangedKeys;
import dev.backfill.spi.DeclaredCondition;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableNames;
import dev.backfill.spi.TableSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link OnlineStore} in an embedded RocksDB database in one local directory.
 *
 * <p><b>Layout.</b> Each table (feature set) is a column family named {@code table/<name>}; its
 * keys are {@link EntityKey}s encoded by their key columns' types and its values whole rows in
 * a compact binary form (see {@code KeyCodec} and {@code RowCodec}), each of which includes the
 * row's event time. The {@link TableSpec} of each table is persisted in the default column
 * family under {@code backfill/table/<name>}, so that after a restart {@link #createTable} with
 * the same spec is a no-op and with another spec is an {@link InvalidFeatureSetException}.
 *
 * <p><b>Atomicity.</b> Each write is atomic per key with respect to every other write through
 * this store object: {@link #write} locks the stripes (of 1,024 locks) its keys hash onto, in
 * ascending order, reads the stored rows with one multi-get, evaluates the conditions in list
 * order (a later write to a key sees the effect of an earlier one in the same batch), applies
 * everything permitted as one RocksDB {@code WriteBatch}, and unlocks. A row replaces the old
 * one in a single put, so readers see a key's old row or its new one, never a missing key.
 * RocksDB's directory lock keeps any second store object, in this or another process, out.
 *
 * <p><b>Durability.</b> Writes go through RocksDB's write-ahead log with {@code sync=false}: a
 * write is acknowledged once it is in the operating system's page cache, so a crash of the
 * process (even {@code Runtime.halt} or {@code kill -9}) loses nothing acknowledged, but a
 * crash of the machine or a power loss may lose the writes since the last {@link #sync()}.
 * An fsync per batch would dominate bulk writes, so the engine instead calls {@link #sync()}
 * (an fsync of the log) once a job's online update is done and before it records the job
 * reconciled: a job recorded SUCCEEDED has its online writes on disk. Table specs are written
 * with {@code sync=true}, and {@link #close()} syncs the log.
 *
 * <p><b>Concurrency and lifecycle.</b> Thread-safe. {@link #close()} waits for calls in
 * progress, closes open {@link #keys} streams, and releases every native object; any later call
 * is an {@link IllegalStateException}.
 */
public final class RocksDbOnlineStore implements OnlineStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbOnlineStore.class);
  private static final String TABLE_FAMILY_PREFIX = "table/";
  private static final String SPEC_KEY_PREFIX = "backfill/table/";
  private static final int STRIPES = 1024;
  private static final long BLOCK_CACHE_BYTES = 128L << 20;
  private static final long WRITE_BUFFERS_BYTES = 64L << 20;

  private final Path directory;
  private final String describe;
  private final Cache cache;
  private final Filter bloomFilter;
  private final WriteBufferManager writeBufferManager;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions familyOptions;
  private final RocksDB db;
  private final ColumnFamilyHandle metaFamily;
  /** Every handle this store opened, closed before the database. */
  private final List<ColumnFamilyHandle> handles = Collections.synchronizedList(new ArrayList<>());
  /** Column families without a persisted spec: left by a crash inside createTable. */
  private final Map<String, ColumnFamilyHandle> unclaimedFamilies = new HashMap<>();
  private final Map<String, Table> tables = new ConcurrentHashMap<>();
  private final Object createTableLock = new Object();
  private final StripedLocks stripes = new StripedLocks(STRIPES);
  private final Set<KeyScan> openScans = ConcurrentHashMap.newKeySet();
  /** Calls hold the read side; close() takes the write side, so it never frees a handle in use. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private RocksDbOnlineStore(Path directory, Cache cache, Filter bloomFilter, WriteBufferManager writeBufferManager,
      DBOptions dbOptions, ColumnFamilyOptions familyOptions, RocksDB db, List<ColumnFamilyDescriptor> descriptors,
      List<ColumnFamilyHandle> opened) {
    this.directory = directory;
    this.describe = "rocksdb online store at " + directory;
    this.cache = cache;
    this.bloomFilter = bloomFilter;
    this.writeBufferManager = writeBufferManager;
    this.dbOptions = dbOptions;
    this.familyOptions = familyOptions;
    this.db = db;
    this.handles.addAll(opened);
    ColumnFamilyHandle meta = null;
    for (int i = 0; i < descriptors.size(); i++) {
      String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
      if (Arrays.equals(descriptors.get(i).getName(), RocksDB.DEFAULT_COLUMN_FAMILY)) {
        meta = opened.get(i);
      } else if (name.startsWith(TABLE_FAMILY_PREFIX)) {
        unclaimedFamilies.put(name.substring(TABLE_FAMILY_PREFIX.length()), opened.get(i));
      }
    }
    this.metaFamily = Objects.requireNonNull(meta, "default column family");
    loadSpecs();
  }

  /**
   * Opens (creating if absent) the store in the directory. The store holds RocksDB's lock on the
   * directory until {@link #close()}.
   *
   * @throws IllegalArgumentException when the path exists and is not a directory
   * @throws StoreException naming the path when another client (another store object in this
   *     process, or another process) holds the directory's lock, or when RocksDB cannot open it
   */
  public static RocksDbOnlineStore open(Path directory) {
    Objects.requireNonNull(directory, "directory");
    Path dir = directory.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("path '" + directory + "' is an existing file, not a directory;"
          + " give a directory (it is created if absent)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException("path '" + directory + "' cannot be created as a directory ("
          + e + "); give a writable directory", e);
    }
    RocksDB.loadLibrary();
    List<AutoCloseable> created = new ArrayList<>();
    try {
      Cache cache = track(created, new LRUCache(BLOCK_CACHE_BYTES));
      Filter bloom = track(created, new BloomFilter(10));
      // Memtables of all tables together stay under one budget, charged to the block cache, so
      // that memory does not grow with the number of feature sets.
      WriteBufferManager writeBuffers = track(created, new WriteBufferManager(WRITE_BUFFERS_BYTES, cache));
      DBOptions dbOptions = track(created, new DBOptions()
          .setCreateIfMissing(true)
          .setCreateMissingColumnFamilies(true)
          .setWriteBufferManager(writeBuffers)
          .setMaxBackgroundJobs(2)
          // With a column family per table, one rarely written table would otherwise pin every
          // log file; this forces its flush so that the WAL stays bounded.
          .setMaxTotalWalSize(256L << 20)
          .setBytesPerSync(1L << 20)
          .setKeepLogFileNum(3));
      ColumnFamilyOptions familyOptions = track(created, new ColumnFamilyOptions()
          .setCompressionType(CompressionType.LZ4_COMPRESSION)
          .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION)
          .setLevelCompactionDynamicLevelBytes(true)
          .setWriteBufferSize(16L << 20)
          // The same for the keys still in a memtable: a reconciliation reads every key it
          // writes, and on a new table none is there. 100,000 absent keys took 27 ms to look up
          // instead of 57 (the filter takes 1/10 of the memtable's budget).
          .setMemtablePrefixBloomSizeRatio(0.1)
          .setMemtableWholeKeyFiltering(true)
          .setTableFormatConfig(new BlockBasedTableConfig()
              .setBlockCache(cache)
              // Gets of absent keys are common (a new key's first putIfLater): a Bloom filter
              // answers most of them without reading a data block.
              .setFilterPolicy(bloom)
              .setCacheIndexAndFilterBlocks(true)
              .setPinL0FilterAndIndexBlocksInCache(true)
              .setBlockSize(16 * 1024)));
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (byte[] name : existingFamilies(dir, directory)) {
        descriptors.add(new ColumnFamilyDescriptor(name, familyOptions));
      }
      if (descriptors.stream().noneMatch(d -> Arrays.equals(d.getName(), RocksDB.DEFAULT_COLUMN_FAMILY))) {
        descriptors.add(0, new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
      }
      List<ColumnFamilyHandle> opened = new ArrayList<>();
      RocksDB db;
      try {
        db = RocksDB.open(dbOptions, dir.toString(), descriptors, opened);
      } catch (RocksDBException e) {
        throw openFailure(directory, e);
      }
      RocksDbOnlineStore store;
      try {
        store = new RocksDbOnlineStore(dir, cache, bloom, writeBuffers, dbOptions, familyOptions, db, descriptors, opened);
      } catch (RuntimeException | Error e) {
        // The database is open and holds the directory's lock: release it before the options
        // it uses, or no store could open the directory again in this process.
        opened.forEach(ColumnFamilyHandle::close);
        db.close();
        throw e;
      }
      LOG.debug("opened {} with {} table(s)", store.describe, store.tables.size());
      return store;
    } catch (RuntimeException | Error e) {
      closeAll(created);
      throw e;
    }
  }

  /**
   * Creates the table's column family and persists its spec, synced to disk, unless the table
   * exists. Idempotent, also across restarts.
   *
   * @throws InvalidFeatureSetException naming the table and both specs when it exists with
   *     another schema, key columns or event-time column, or naming both when another table's
   *     name differs from it only in case (RocksDB could keep both; SQL stores could not)
   */
  @Override
  public void createTable(TableSpec spec) {
    Objects.requireNonNull(spec, "spec");
    guarded(() -> {
      synchronized (createTableLock) {
        Table existing = tables.get(spec.name());
        if (existing != null) {
          if (!existing.spec.equals(spec)) {
            throw new InvalidFeatureSetException(describe + ": table '" + spec.name() + "' exists as " + existing.spec
                + "; it cannot be re-created as " + spec);
          }
          return null;
        }
        TableNames.requireNoCaseTwin(describe, spec.name(), tables.keySet());
        ColumnFamilyHandle handle = null;
        // A family without a spec was left by a crash in createTable (empty) or in dropTable
        // (with the dropped table's rows): either way it starts afresh.
        ColumnFamilyHandle unclaimed = unclaimedFamilies.remove(spec.name());
        try {
          if (unclaimed != null) {
            dropFamily(unclaimed);
          }
          handle = db.createColumnFamily(new ColumnFamilyDescriptor(
              (TABLE_FAMILY_PREFIX + spec.name()).getBytes(StandardCharsets.UTF_8), familyOptions));
          handles.add(handle);
          // Synced: a table that a caller saw created must still be there after a power loss.
          try (WriteOptions sync = new WriteOptions().setSync(true)) {
            db.put(metaFamily, sync, specKey(spec.name()), SpecCodec.encode(spec));
          }
        } catch (RocksDBException e) {
          if (handle != null) {
            unclaimedFamilies.put(spec.name(), handle);
          } else if (unclaimed != null && handles.contains(unclaimed)) {
            unclaimedFamilies.put(spec.name(), unclaimed);
          }
          throw failure("creating table '" + spec.name() + "'", e);
        }
        tables.put(spec.name(), new Table(spec, handle));
        return null;
      }
    });
  }

  /**
   * Deletes the table's persisted spec (synced), then drops its column family. A crash in
   * between leaves a family without a spec, which the next {@link #createTable} of the name
   * replaces with an empty one, so the dropped rows never come back. Open key streams of the
   * table end. Waits for calls in progress, like {@link #close()}: no call uses the family's
   * handle while it is dropped.
   */
  @Override
  public void dropTable(String name) {
    Objects.requireNonNull(name, "name");
    lifecycle.writeLock().lock();
    try {
      ensureOpen();
      synchronized (createTableLock) {
        Table table = tables.remove(name);
        ColumnFamilyHandle handle = table != null ? table.handle : unclaimedFamilies.remove(name);
        if (handle == null) {
          return;
        }
        for (KeyScan scan : List.copyOf(openScans)) {
          if (scan.table == table) {
            scan.release();
          }
        }
        try {
          try (WriteOptions sync = new WriteOptions().setSync(true)) {
            db.delete(metaFamily, sync, specKey(name));
          }
          dropFamily(handle);
        } catch (RocksDBException e) {
          if (table != null) {
            tables.put(name, table);
          }
          throw failure("dropping table '" + name + "'", e);
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void dropFamily(ColumnFamilyHandle handle) throws RocksDBException {
    db.dropColumnFamily(handle);
    handles.remove(handle);
    handle.close();
  }

  /**
   * The row stored for the key.
   *
   * @throws StoreException naming the table when it does not exist
   * @throws IllegalArgumentException naming the key column when the key does not fit the table
   */
  @Override
  public Optional<Row> get(String table, EntityKey key) {
    Objects.requireNonNull(key, "key");
    return guarded(() -> {
      Table t = table(table);
      byte[] keyBytes = t.keys.encode(key);
      try {
        byte[] value = db.get(t.handle, keyBytes);
        return value == null ? Optional.<Row>empty() : Optional.of(t.decodeRow(value, key, describe));
      } catch (RocksDBException e) {
        throw failure("reading key " + key + " of table '" + table + "'", e);
      }
    });
  }

  /**
   * The rows stored for the keys, read with one multi-get from one consistent view.
   *
   * @throws StoreException naming the table when it does not exist
   */
  @Override
  public Map<EntityKey, Row> getAll(String table, Collection<EntityKey> keys) {
    Objects.requireNonNull(keys, "keys");
    return guarded(() -> {
      Table t = table(table);
      List<EntityKey> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
      Map<EntityKey, Row> rows = new HashMap<>();
      if (distinct.isEmpty()) {
        return rows;
      }
      List<byte[]> keyBytes = new ArrayList<>(distinct.size());
      for (EntityKey key : distinct) {
        keyBytes.add(t.keys.encode(key));
      }
      List<byte[]> values = multiGet(t, keyBytes);
      for (int i = 0; i < distinct.size(); i++) {
        if (values.get(i) != null) {
          rows.put(distinct.get(i), t.decodeRow(values.get(i), distinct.get(i), describe));
        }
      }
      return rows;
    });
  }

  /**
   * Applies each write atomically per key, in list order, and all permitted writes of the batch
   * as one atomic RocksDB write batch. Nothing is written when a condition or the encoding of a
   * write throws.
   *
   * @return how many writes were applied, including deletes of keys already absent
   * @throws StoreException naming the table when it does not exist or a row has another schema
   * @throws IllegalArgumentException naming the key column when a key does not fit the table
   */
  @Override
  public long write(String table, List<OnlineWrite> writes) {
    Objects.requireNonNull(writes, "writes");
    return guarded(() -> {
      Table t = table(table);
      if (writes.isEmpty()) {
        return 0L;
      }
      // Encode and check everything before taking a lock: bad input fails without side effects.
      List<ByteBuffer> keyOfWrite = new ArrayList<>(writes.size());
      Map<ByteBuffer, Pending> pending = new LinkedHashMap<>();
      BitSet lockStripes = new BitSet(STRIPES);
      int tableHash = t.spec.name().hashCode();
      for (OnlineWrite write : writes) {
        requireTableSchema(t, write);
        byte[] keyBytes = t.keys.encode(write.key());
        ByteBuffer wrapped = ByteBuffer.wrap(keyBytes);
        keyOfWrite.add(wrapped);
        if (!pending.containsKey(wrapped)) {
          pending.put(wrapped, new Pending(write.key(), keyBytes));
          lockStripes.set(stripes.stripeOf(tableHash, keyBytes));
        }
      }
      stripes.lock(lockStripes);
      try {
        List<Pending> distinct = new ArrayList<>(pending.values());
        // Unconditional puts replace whatever is stored, so reading it first (a multi-get as
        // large as the batch) would decide nothing: a reset's online update writes only those.
        boolean decidesOnStored = writes.stream().anyMatch(w -> w.row().isEmpty()
            || !(w.condition().declared().orElse(null) instanceof DeclaredCondition.Always));
        if (decidesOnStored) {
          List<byte[]> stored = multiGet(t, distinct.stream().map(p -> p.keyBytes).toList());
          for (int i = 0; i < distinct.size(); i++) {
            Pending p = distinct.get(i);
            p.originallyPresent = stored.get(i) != null;
            p.current = stored.get(i) == null ? Optional.empty() : Optional.of(t.decodeRow(stored.get(i), p.key, describe));
          }
        }
        long applied = 0;
        for (int i = 0; i < writes.size(); i++) {
          OnlineWrite write = writes.get(i);
          Pending p = pending.get(keyOfWrite.get(i));
          if (write.condition().permits(p.current)) {
            p.current = write.row();
            p.changed = true;
            applied++;
          }
        }
        try (WriteBatch batch = new WriteBatch(); WriteOptions options = new WriteOptions()) {
          int operations = 0;
          for (Pending p : distinct) {
            if (!p.changed) {
              continue;
            }
            if (p.current.isPresent()) {
              batch.put(t.handle, p.keyBytes, t.rows.encode(p.current.get()));
              operations++;
            } else if (p.originallyPresent) {
              // No tombstone for a key that was never there: deleting nothing changes nothing.
              batch.delete(t.handle, p.keyBytes);
              operations++;
            }
          }
          if (operations > 0) {
            db.write(options, batch);
          }
        } catch (RocksDBException e) {
          throw failure("writing " + writes.size() + " write(s) to table '" + table + "'", e);
        }
        return applied;
      } finally {
        stripes.unlock(lockStripes);
      }
    });
  }

  /**
   * One multi-get of the keys under their stripes' locks, then one write batch of the keys whose
   * stored bytes differ from their target's encoding. Rows are compared encoded, so a key costs
   * no decoding unless its condition must read the stored row (a fence); the encoding is
   * deterministic, so an unchanged row is always skipped. Against the default (decode every
   * stored row, compare, then {@link #write}, which reads the keys again when a condition needs
   * them) the calls of a reset's online update of 100,000 keys took 84 ms instead of 109 ms.
   * Nothing is written when a row does not fit the table or a key cannot be encoded.
   */
  @Override
  public ChangedKeys writeChanged(String table, List<OnlineWrite> writes) {
    Objects.requireNonNull(writes, "writes");
    return guarded(() -> {
      Table t = table(table);
      if (writes.isEmpty()) {
        return ChangedKeys.none();
      }
      List<byte[]> keyBytes = new ArrayList<>(writes.size());
      byte[][] targets = new byte[writes.size()][];
      BitSet lockStripes = new BitSet(STRIPES);
      int tableHash = t.spec.name().hashCode();
      for (int i = 0; i < writes.size(); i++) {
        OnlineWrite write = writes.get(i);
        requireTableSchema(t, write);
        if (write.row().isPresent()) {
          targets[i] = t.rows.encode(write.row().get());
        }
        byte[] key = t.keys.encode(write.key());
        keyBytes.add(key);
        lockStripes.set(stripes.stripeOf(tableHash, key));
      }
      stripes.lock(lockStripes);
      try (WriteBatch batch = new WriteBatch(); WriteOptions options = new WriteOptions()) {
        List<byte[]> stored = multiGet(t, keyBytes);
        long written = 0;
        long deleted = 0;
        for (int i = 0; i < writes.size(); i++) {
          byte[] have = stored.get(i);
          byte[] target = targets[i];
          if (target == null ? have == null : Arrays.equals(have, target)) {
            continue;
          }
          OnlineWrite write = writes.get(i);
          boolean readsStored = !(write.condition().declared().orElse(null) instanceof DeclaredCondition.Always);
          if (readsStored && !write.condition().permits(have == null ? Optional.empty()
              : Optional.of(t.decodeRow(have, write.key(), describe)))) {
            continue;
          }
          if (target != null) {
            batch.put(t.handle, keyBytes.get(i), target);
            written++;
          } else {
            batch.delete(t.handle, keyBytes.get(i));
            deleted++;
          }
        }
        if (written + deleted > 0) {
          db.write(options, batch);
        }
        return new ChangedKeys(written, deleted);
      } catch (RocksDBException e) {
        throw failure("writing " + writes.size() + " key(s) to table '" + table + "'", e);
      } finally {
        stripes.unlock(lockStripes);
      }
    });
  }

  private void requireTableSchema(Table t, OnlineWrite write) {
    write.row().ifPresent(row -> {
      if (!row.schema().equals(t.spec.schema())) {
        throw new StoreException(describe + ": table '" + t.spec.name() + "' has schema " + t.spec.schema()
            + "; the row for key " + write.key() + " has " + row.schema());
      }
    });
  }

  /**
   * Every key stored in the table, read lazily from a RocksDB iterator on a snapshot taken now:
   * the stream lists the keys as of this call, each once. Close the stream (try-with-resources)
   * to release the iterator and the snapshot; they are also released when the stream is fully
   * consumed, and by {@link #close()}.
   *
   * @throws StoreException naming the table when it does not exist
   */
  @Override
  public Stream<EntityKey> keys(String table) {
    return keysInOrder(table, Optional.empty());
  }

  /**
   * The keys in RocksDB's order, the byte order of their encoding (which does not depend on when
   * keys were written), from the first key after {@code after}: a seek, not a scan of the keys
   * before it. As {@link #keys(String)} otherwise.
   */
  @Override
  public Stream<EntityKey> keysInOrder(String table, Optional<EntityKey> after) {
    return guarded(() -> {
      Table t = table(table);
      KeyScan scan = new KeyScan(t, after.map(t.keys::encode));
      openScans.add(scan);
      return StreamSupport.stream(scan, false).onClose(scan::closeFromStream);
    });
  }

  /**
   * Forces the write-ahead log to stable storage: every write acknowledged before the call
   * survives a power loss once it returns. Safe during reads and writes.
   *
   * @throws StoreException when RocksDB cannot sync the log
   */
  @Override
  public void sync() {
    guarded(() -> {
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        throw failure("syncing the write-ahead log", e);
      }
      return null;
    });
  }

  /**
   * Closes open key streams, syncs the write-ahead log, and releases the database, its column
   * families and options, in that order; waits for calls in progress first. Idempotent.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (KeyScan scan : openScans) {
        scan.release();
      }
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        LOG.warn("{}: syncing the write-ahead log on close failed; the last writes may not survive a power loss", describe, e);
      }
      // RocksJava requires column family handles to be closed before the database.
      synchronized (handles) {
        for (ColumnFamilyHandle handle : handles) {
          handle.close();
        }
      }
      try {
        db.closeE();
      } catch (RocksDBException e) {
        LOG.warn("{}: closing the database reported an error", describe, e);
      }
      // Options, filter and cache are referenced by the database, so they go after it.
      closeAll(List.of(cache, bloomFilter, writeBufferManager, dbOptions, familyOptions));
      LOG.debug("closed {}", describe);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** The directory this store keeps its data in. */
  public Path directory() {
    return directory;
  }

  @Override
  public String toString() {
    return describe;
  }

  // ---------------------------------------------------------------- internals

  private void loadSpecs() {
    byte[] prefix = SPEC_KEY_PREFIX.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator(metaFamily)) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        TableSpec spec;
        try {
          spec = SpecCodec.decode(it.value());
        } catch (IllegalArgumentException e) {
          throw new StoreException(describe + ": the stored spec under key '"
              + new String(it.key(), StandardCharsets.UTF_8) + "' is unreadable (" + e.getMessage()
              + "); the directory was written by another version or is corrupt", e);
        }
        ColumnFamilyHandle handle = unclaimedFamilies.remove(spec.name());
        if (handle == null) {
          throw new StoreException(describe + ": table '" + spec.name() + "' has a stored spec but no column family '"
              + TABLE_FAMILY_PREFIX + spec.name() + "'; the directory is corrupt");
        }
        tables.put(spec.name(), new Table(spec, handle));
      }
      it.status();
    } catch (RocksDBException e) {
      throw failure("reading table specs", e);
    }
  }

  private List<byte[]> multiGet(Table t, List<byte[]> keyBytes) {
    // RocksJava's multiGetAsList wants one column family handle per key, not one per call.
    try (ReadOptions options = new ReadOptions()) {
      return db.multiGetAsList(options, Collections.nCopies(keyBytes.size(), t.handle), keyBytes);
    } catch (RocksDBException e) {
      throw failure("reading " + keyBytes.size() + " key(s) of table '" + t.spec.name() + "'", e);
    }
  }

  private Table table(String name) {
    Objects.requireNonNull(name, "table");
    Table table = tables.get(name);
    if (table == null) {
      throw new StoreException(describe + ": table '" + name + "' does not exist; register the feature set first");
    }
    return table;
  }

  private <T> T guarded(Supplier<T> call) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return call.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreException(describe + " is closed; open a new store to use it");
    }
  }

  private StoreException failure(String what, RocksDBException e) {
    return new StoreException(describe + ": " + what + " failed: " + e.getMessage(), e);
  }

  private static List<byte[]> existingFamilies(Path dir, Path given) {
    if (!Files.exists(dir.resolve("CURRENT"))) {
      return List.of();
    }
    try (Options options = new Options()) {
      return RocksDB.listColumnFamilies(options, dir.toString());
    } catch (RocksDBException e) {
      throw openFailure(given, e);
    }
  }

  private static StoreException openFailure(Path directory, RocksDBException e) {
    String message = String.valueOf(e.getMessage());
    // RocksDB reports its directory lock as a plain IOError, "While lock file: <dir>/LOCK: ..."
    // (another process) or "lock hold by current process, ...: <dir>/LOCK: ..." (this one): no
    // status code or subcode tells it apart, so the message is all there is to go on.
    if (message.contains("LOCK: ") || message.contains("lock hold by current process")) {
      return new StoreException("rocksdb online store: directory '" + directory + "' is locked: another client"
          + " (a store in this or another process) holds its lock; close that store, or give another path ("
          + message + ")", e);
    }
    return new StoreException("rocksdb online store: cannot open directory '" + directory + "': " + message, e);
  }

  private static byte[] specKey(String table) {
    return (SPEC_KEY_PREFIX + table).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> created, T resource) {
    created.add(resource);
    return resource;
  }

  private static void closeAll(List<? extends AutoCloseable> resources) {
    // Reverse creation order: a later object may reference an earlier one.
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", resources.get(i), e);
      }
    }
  }

  /** A table's spec, column family and codecs. */
  private static final class Table {
    final TableSpec spec;
    final ColumnFamilyHandle handle;
    final KeyCodec keys;
    final RowCodec rows;

    Table(TableSpec spec, ColumnFamilyHandle handle) {
      this.spec = spec;
      this.handle = handle;
      this.keys = new KeyCodec(spec);
      this.rows = new RowCodec(spec.schema());
    }

    Row decodeRow(byte[] value, EntityKey key, String describe) {
      try {
        return rows.decode(value);
      } catch (IllegalArgumentException e) {
        throw new StoreException(describe + ": the value of key " + key + " in table '" + spec.name()
            + "' is unreadable: " + e.getMessage(), e);
      }
    }
  }

  /** One distinct key of a write batch: its stored row, then its row as the batch evolves it. */
  private static final class Pending {
    final EntityKey key;
    final byte[] keyBytes;
    boolean originallyPresent;
    Optional<Row> current = Optional.empty();
    boolean changed;

    Pending(EntityKey key, byte[] keyBytes) {
      this.key = key;
      this.keyBytes = keyBytes;
    }
  }

  /** The lazy iteration behind {@link #keys}: an iterator on a snapshot, released once. */
  private final class KeyScan extends Spliterators.AbstractSpliterator<EntityKey> {
    private final Table table;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;
    private final RocksIterator iterator;
    private final Optional<byte[]> after;
    private boolean started;
    private boolean released;

    KeyScan(Table table, Optional<byte[]> after) {
      super(Long.MAX_VALUE, Spliterator.DISTINCT | Spliterator.NONNULL | Spliterator.ORDERED);
      this.table = table;
      this.after = after;
      this.snapshot = db.getSnapshot();
      this.readOptions = new ReadOptions().setSnapshot(snapshot);
      this.iterator = db.newIterator(table.handle, readOptions);
    }

    @Override
    public boolean tryAdvance(Consumer<? super EntityKey> action) {
      EntityKey next;
      lifecycle.readLock().lock();
      try {
        synchronized (this) {
          if (released) {
            ensureOpen();
            return false;
          }
          if (started) {
            iterator.next();
          } else {
            if (after.isPresent()) {
              iterator.seek(after.get());
              if (iterator.isValid() && Arrays.equals(iterator.key(), after.get())) {
                iterator.next();
              }
            } else {
              iterator.seekToFirst();
            }
            started = true;
          }
          if (!iterator.isValid()) {
            try {
              iterator.status();
            } catch (RocksDBException e) {
              throw failure("listing keys of table '" + table.spec.name() + "'", e);
            } finally {
              release();
            }
            return false;
          }
          byte[] key = iterator.key();
          try {
            next = table.keys.decode(key);
          } catch (IllegalArgumentException e) {
            throw new StoreException(describe + ": a key of table '" + table.spec.name() + "' is unreadable: "
                + e.getMessage(), e);
          }
        }
      } finally {
        lifecycle.readLock().unlock();
      }
      // Outside the locks: the caller's action may take as long as it likes, or call the store.
      action.accept(next);
      return true;
    }

    void closeFromStream() {
      lifecycle.readLock().lock();
      try {
        // After the store closed, close() has released this scan already.
        release();
      } finally {
        lifecycle.readLock().unlock();
      }
    }

    /** Idempotent; the caller holds the lifecycle lock, so the database is still open. */
    synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      iterator.close();
      readOptions.close();
      db.releaseSnapshot(snapshot);
      openScans.remove(this);
    }
  }
}
