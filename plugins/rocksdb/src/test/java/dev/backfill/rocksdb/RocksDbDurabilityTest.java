package dev.backfill.rocksdb;

import static dev.backfill.rocksdb.Fixtures.T0;
import static dev.backfill.rocksdb.Fixtures.click;
import static dev.backfill.rocksdb.Fixtures.clicks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.junit.jupiter.api.io.TempDir;

/** What survives a close and reopen, or a killed JVM. */
class RocksDbDurabilityTest {
  @TempDir
  Path dir;

  @Test
  void rowsDeletesAndTablesSurviveCloseAndReopen() {
    Path path = dir.resolve("online");
    TableSpec spec = clicks();
    TableSpec other = new TableSpec("other", spec.schema(), List.of("user", "count"), "ts");
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      store.createTable(spec);
      store.createTable(other);
      store.write(spec.name(), IntStream.range(0, 100)
          .mapToObj(i -> OnlineWrite.put(EntityKey.of("u" + i), click("u" + i, T0, i))).toList());
      store.write(spec.name(), List.of(OnlineWrite.delete(EntityKey.of("u0"))));
      store.write(other.name(), List.of(OnlineWrite.put(EntityKey.of("u1", 1L), click("u1", T0, 1))));
    }

    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      // The tables are known before createTable: their specs were persisted.
      assertThat(store.get(spec.name(), EntityKey.of("u0"))).isEmpty();
      assertThat(store.get(spec.name(), EntityKey.of("u99"))).contains(click("u99", T0, 99));
      try (Stream<EntityKey> keys = store.keys(spec.name())) {
        assertThat(keys.count()).isEqualTo(99);
      }
      assertThat(store.get(other.name(), EntityKey.of("u1", 1L))).contains(click("u1", T0, 1));
      store.createTable(spec);
      assertThat(store.get(spec.name(), EntityKey.of("u1"))).contains(click("u1", T0, 1));
    }
  }

  @Test
  void aDroppedTableStaysDroppedAfterReopenAndItsNameTakesAnotherSpec() {
    Path path = dir.resolve("online");
    TableSpec spec = clicks();
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      store.createTable(spec);
      store.write(spec.name(), List.of(OnlineWrite.put(EntityKey.of("u1"), click("u1", T0, 1))));
      store.dropTable(spec.name());
    }
    TableSpec doubled = new TableSpec(spec.name(), Schema.of(new Field("user", FieldType.STRING),
        new Field("ts", FieldType.TIMESTAMP), new Field("count", FieldType.DOUBLE)), List.of("user"), "ts");
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      assertThatThrownBy(() -> store.get(spec.name(), EntityKey.of("u1"))).isInstanceOf(StoreException.class);
      store.createTable(doubled);
      assertThat(store.get(spec.name(), EntityKey.of("u1"))).isEmpty();
    }
  }

  /**
   * A crash inside dropTable after the spec was deleted leaves the column family with the
   * dropped rows and no spec; creating the table again must not bring those rows back.
   */
  @Test
  void aFamilyLeftWithoutItsSpecStartsEmptyWhenTheTableIsCreatedAgain() throws Exception {
    Path path = dir.resolve("online");
    TableSpec spec = clicks();
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      store.createTable(spec);
      store.write(spec.name(), List.of(OnlineWrite.put(EntityKey.of("u1"), click("u1", T0, 1))));
    }
    org.rocksdb.RocksDB.loadLibrary();
    List<org.rocksdb.ColumnFamilyDescriptor> families = List.of(
        new org.rocksdb.ColumnFamilyDescriptor(org.rocksdb.RocksDB.DEFAULT_COLUMN_FAMILY),
        new org.rocksdb.ColumnFamilyDescriptor("table/clicks".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
    try (org.rocksdb.DBOptions options = new org.rocksdb.DBOptions();
         org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(options, path.toString(), families, handles)) {
      db.delete(handles.get(0), "backfill/table/clicks".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
    }
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      store.createTable(spec);
      assertThat(store.get(spec.name(), EntityKey.of("u1"))).isEmpty();
      try (Stream<EntityKey> keys = store.keys(spec.name())) {
        assertThat(keys.count()).isZero();
      }
    }
  }

  @Test
  void createTableWithAnotherSpecAfterReopenThrowsNamingTheTableAndBothSpecs() {
    Path path = dir.resolve("online");
    TableSpec spec = clicks();
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      store.createTable(spec);
    }
    Schema otherTypes = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
        new Field("count", FieldType.DOUBLE), new Field("label", FieldType.STRING));
    List<TableSpec> conflicting = List.of(
        new TableSpec(spec.name(), otherTypes, spec.keyColumns(), "ts"),
        new TableSpec(spec.name(), spec.schema(), List.of("user", "label"), "ts"));
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      for (TableSpec other : conflicting) {
        assertThatThrownBy(() -> store.createTable(other))
            .isInstanceOf(InvalidFeatureSetException.class)
            .hasMessageContaining("'clicks'")
            .hasMessageContaining(spec.toString())
            .hasMessageContaining(other.toString());
      }
      Schema twoTimes = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
          new Field("ts2", FieldType.TIMESTAMP));
      store.createTable(new TableSpec("two_times", twoTimes, List.of("user"), "ts"));
    }
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      Schema twoTimes = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
          new Field("ts2", FieldType.TIMESTAMP));
      assertThatThrownBy(() -> store.createTable(new TableSpec("two_times", twoTimes, List.of("user"), "ts2")))
          .isInstanceOf(InvalidFeatureSetException.class).hasMessageContaining("two_times");
      store.createTable(spec);
    }
  }

  @Test
  void acknowledgedWritesSurviveAJvmKilledByRuntimeHalt() throws Exception {
    Path path = dir.resolve("online");
    try (ChildJvm child = ChildJvm.start("write-and-halt", path)) {
      child.awaitLine("acknowledged");
      assertThat(child.awaitExit()).as("the child halted itself").isEqualTo(3);
    }

    // The child never closed the store: everything below comes from RocksDB's write-ahead log.
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      List<EntityKey> keys = IntStream.range(0, ChildStoreMain.HALT_ROWS).mapToObj(i -> EntityKey.of("u" + i)).toList();
      assertThat(store.getAll("clicks", keys)).hasSize(ChildStoreMain.HALT_ROWS)
          .containsEntry(EntityKey.of("u999"), click("u999", T0, 999));
    }
  }

  @Test
  void syncForcesTheLogAmidWritesAndIsRefusedOnceClosed() {
    // What a power loss would take cannot be simulated here; what can be checked is that sync()
    // is the store's own (the SPI default does nothing, closed or not) and leaves it usable.
    Path path = dir.resolve("online");
    RocksDbOnlineStore store = RocksDbOnlineStore.open(path);
    store.createTable(clicks());
    store.write("clicks", List.of(OnlineWrite.put(EntityKey.of("u1"), click("u1", T0, 1))));

    store.sync();
    store.write("clicks", List.of(OnlineWrite.put(EntityKey.of("u2"), click("u2", T0, 2))));
    store.sync();
    store.close();

    assertThatThrownBy(store::sync).isInstanceOf(StoreException.class).hasMessageContaining(path.toString());
    try (RocksDbOnlineStore reopened = RocksDbOnlineStore.open(path)) {
      assertThat(reopened.getAll("clicks", List.of(EntityKey.of("u1"), EntityKey.of("u2")))).hasSize(2);
    }
  }

  @Test
  void anOpenThatFailsAfterOpeningTheDatabaseReleasesTheDirectory() throws Exception {
    Path path = dir.resolve("online");
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(path)) {
      store.createTable(clicks());
    }
    corruptTheStoredSpec(path, "clicks");

    for (int attempt = 1; attempt <= 2; attempt++) {
      // The second attempt would find the directory locked by the first if it leaked the database.
      assertThatThrownBy(() -> RocksDbOnlineStore.open(path)).as("attempt %d", attempt)
          .isInstanceOf(StoreException.class).hasMessageContaining("unreadable").hasMessageNotContaining("locked");
    }
  }

  private static void corruptTheStoredSpec(Path path, String table) throws RocksDBException {
    RocksDB.loadLibrary();
    List<ColumnFamilyDescriptor> families = new java.util.ArrayList<>();
    try (Options options = new Options()) {
      for (byte[] name : RocksDB.listColumnFamilies(options, path.toString())) {
        families.add(new ColumnFamilyDescriptor(name));
      }
    }
    List<ColumnFamilyHandle> handles = new java.util.ArrayList<>();
    try (DBOptions options = new DBOptions();
         RocksDB raw = RocksDB.open(options, path.toString(), families, handles)) {
      raw.put(("backfill/table/" + table).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {42});
      handles.forEach(ColumnFamilyHandle::close);
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsAreRefusedClearly() {
    RocksDbOnlineStore store = RocksDbOnlineStore.open(dir.resolve("online"));
    store.createTable(clicks());
    Stream<EntityKey> openKeys = store.keys("clicks");
    store.close();
    store.close();

    // A closed store is a store failure like any other (issue 17 point 7: was an IllegalStateException).
    assertThatThrownBy(() -> store.get("clicks", EntityKey.of("u"))).isInstanceOf(StoreException.class)
        .hasMessageContaining("closed").hasMessageContaining(dir.resolve("online").toString());
    assertThatThrownBy(() -> store.write("clicks", List.of())).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.createTable(clicks())).isInstanceOf(StoreException.class);
    // A stream left open was released by close(); using it now fails instead of touching freed memory.
    assertThatThrownBy(openKeys::count).isInstanceOf(StoreException.class);
    openKeys.close();
  }

  @Test
  void keysStreamReadsASnapshotAndReleasesItOnClose() {
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(dir.resolve("online"))) {
      TableSpec spec = clicks();
      store.createTable(spec);
      store.write(spec.name(), IntStream.range(0, 10)
          .mapToObj(i -> OnlineWrite.put(EntityKey.of("u" + i), click("u" + i, T0, i))).toList());

      List<EntityKey> seen;
      try (Stream<EntityKey> keys = store.keys(spec.name())) {
        // Written after the stream opened and before it was read: not in its snapshot.
        store.write(spec.name(), List.of(OnlineWrite.put(EntityKey.of("late"), click("late", T0, 1)),
            OnlineWrite.delete(EntityKey.of("u0"))));
        seen = keys.toList();
      }
      assertThat(seen).hasSize(10).contains(EntityKey.of("u0")).doesNotContain(EntityKey.of("late"));

      // A stream closed half-way, and one never consumed, release their resources: the store still closes cleanly.
      try (Stream<EntityKey> keys = store.keys(spec.name())) {
        assertThat(keys.limit(3).count()).isEqualTo(3);
      }
      store.keys(spec.name()).close();
    }
  }

  @Test
  void rowsOfAnotherSchemaAndMistypedKeysAreRefused() {
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(dir.resolve("online"))) {
      TableSpec spec = clicks();
      store.createTable(spec);
      Row foreign = Row.of(Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP)), "u", T0);
      assertThatThrownBy(() -> store.write(spec.name(), List.of(OnlineWrite.put(EntityKey.of("u"), foreign))))
          .isInstanceOf(StoreException.class).hasMessageContaining("'clicks'").hasMessageContaining("schema");
      assertThatThrownBy(() -> store.get(spec.name(), EntityKey.of(7L)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'user'").hasMessageContaining("STRING");
      assertThatThrownBy(() -> store.write(spec.name(), List.of(
          OnlineWrite.put(EntityKey.of("ok"), click("ok", T0, 1)), OnlineWrite.delete(EntityKey.of("a", "b")))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[user]");
      // Nothing of the refused batch was written.
      assertThat(store.get(spec.name(), EntityKey.of("ok"))).isEmpty();
    }
  }
}
