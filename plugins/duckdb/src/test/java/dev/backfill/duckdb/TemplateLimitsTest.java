package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.duckdb.internal.DuckDbResources;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.TemplateLimits;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defaults of memory-limit and threads follow a backfill's cluster template while it runs,
 * read back from inside the store's database and the session's during the backfill.
 */
class TemplateLimitsTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final long PHYSICAL =
      ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
  private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

  @TempDir Path dir;

  /** What the settings were when the transform ran: the store's and the session's. */
  private record Seen(Settings store, Settings session) {}

  /** {@code current_setting} of memory_limit and threads, as DuckDB prints them. */
  private record Settings(String memoryLimit, long threads) {}

  @Test
  void aBackfillRunsWithItsTemplatesShareOfTheMachineAndGivesItBackAfterwards() throws Exception {
    try (OfflineStore offline = Plugins.offlineStore("duckdb", Map.of("path", dir.resolve("o.duckdb").toString()))) {
      DuckDbOfflineStore store = (DuckDbOfflineStore) offline;
      Settings storeBefore = settings(store.connection());
      Settings sessionBefore = settings(DuckDbSession.connect());
      assertThat(storeBefore).isEqualTo(new Settings(printed(PHYSICAL / 4), PROCESSORS));
      try (BackfillClient client = BackfillClient.builder().offlineStore(store).onlineStore(InMemoryOnlineStore.create())
          .build()) {
        Map<ClusterTemplate, Settings> table = Map.of(
            ClusterTemplate.XLARGE, new Settings(printed(PHYSICAL / 16 * 6), PROCESSORS),
            ClusterTemplate.SMALL, new Settings(printed(PHYSICAL / 16 * 2), Math.min(2, PROCESSORS)));
        for (ClusterTemplate template : List.of(ClusterTemplate.XLARGE, ClusterTemplate.SMALL)) {
          AtomicReference<Seen> seen = new AtomicReference<>();
          client.register(featureSet("f_" + template.label(), store, seen));
          client.backfill("f_" + template.label()).reset().clusterTemplate(template).run();
          assertThat(seen.get().store()).as("%s: the store during the backfill", template).isEqualTo(table.get(template));
          DuckDbResources sessionShare = DuckDbSession.limits().during(template);
          assertThat(seen.get().session()).as("%s: the session during the backfill", template)
              .isEqualTo(new Settings(printed(sessionShare.memoryLimitBytes()), sessionShare.threads()));
          assertThat(settings(store.connection())).as("%s: the store after", template).isEqualTo(storeBefore);
          assertThat(settings(DuckDbSession.connect())).as("%s: the session after", template).isEqualTo(sessionBefore);
        }
      }
    }
  }

  @Test
  void explicitOptionsWinOverTheTemplateEachOnItsOwn() throws Exception {
    try (OfflineStore offline = Plugins.offlineStore("duckdb", Map.of("path", dir.resolve("e.duckdb").toString(),
        "threads", "3", "memory-limit", "700MiB"));
         OfflineStore threadsOnly = Plugins.offlineStore("duckdb", Map.of("path", dir.resolve("t.duckdb").toString(),
             "threads", "3"))) {
      for (OfflineStore o : List.of(offline, threadsOnly)) {
        DuckDbOfflineStore store = (DuckDbOfflineStore) o;
        try (BackfillClient client = BackfillClient.builder().offlineStore(store).onlineStore(InMemoryOnlineStore.create())
            .build()) {
          AtomicReference<Seen> seen = new AtomicReference<>();
          client.register(featureSet("f", store, seen));
          client.backfill("f").reset().clusterTemplate(ClusterTemplate.XLARGE).run();
          String memory = o == offline ? printed(700L << 20) : printed(PHYSICAL / 16 * 6);
          assertThat(seen.get().store()).as("%s", store).isEqualTo(new Settings(memory, 3));
        }
      }
    }
  }

  @Test
  void aFailedBackfillGivesTheSettingsBackToo() throws Exception {
    try (OfflineStore offline = Plugins.offlineStore("duckdb", Map.of("path", dir.resolve("f.duckdb").toString()))) {
      DuckDbOfflineStore store = (DuckDbOfflineStore) offline;
      Settings before = settings(store.connection());
      try (BackfillClient client = BackfillClient.builder().offlineStore(store).onlineStore(InMemoryOnlineStore.create())
          .build()) {
        AtomicReference<Seen> seen = new AtomicReference<>();
        FeatureSet valid = featureSet("f", store, seen);
        client.register(valid);
        Transform failing = Transform.map(valid.schema(), row -> {
          seen.set(new Seen(unchecked(store), null));
          throw new IllegalStateException("the transform fails on purpose");
        });
        assertThatThrownBy(() -> client.backfill("f").reset().clusterTemplate(ClusterTemplate.SMALL).transform(failing).run())
            .isInstanceOf(BackfillFailedException.class);
        assertThat(seen.get().store().memoryLimit()).as("during").isEqualTo(printed(PHYSICAL / 16 * 2));
        assertThat(settings(store.connection())).as("after").isEqualTo(before);
      }
    }
  }

  @Test
  void backfillsOfDifferentTemplatesAtOnceShareTheLargestAndGiveItBackInTurn() throws Exception {
    TemplateLimits limits = new TemplateLimits(new DuckDbResources(256L << 20, 1), false, false);
    try (DuckDBConnection database = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:")) {
      limits.attach(database);
      TemplateLimits.Running small = limits.start(ClusterTemplate.SMALL);
      assertThat(settings(database.duplicate()).threads()).isEqualTo(Math.min(2, PROCESSORS));
      TemplateLimits.Running xlarge = limits.start(ClusterTemplate.XLARGE);
      assertThat(settings(database.duplicate()).memoryLimit()).isEqualTo(printed(PHYSICAL / 16 * 6));
      small.close();
      assertThat(settings(database.duplicate()).memoryLimit()).as("the XLARGE one still runs")
          .isEqualTo(printed(PHYSICAL / 16 * 6));
      TemplateLimits.Running medium = limits.start(ClusterTemplate.MEDIUM);
      xlarge.close();
      xlarge.close();
      assertThat(settings(database.duplicate()).memoryLimit()).as("the MEDIUM one still runs")
          .isEqualTo(printed(PHYSICAL / 16 * 3));
      medium.close();
      assertThat(settings(database.duplicate())).isEqualTo(new Settings(printed(256L << 20), 1));
    }
  }

  @Test
  void theTableKeepsTheTemplatesInOrderWithinTheMachine() {
    List<DuckDbResources> shares = new ArrayList<>();
    for (ClusterTemplate template : ClusterTemplate.values()) {
      shares.add(DuckDbResources.forTemplate(template));
    }
    for (int i = 1; i < shares.size(); i++) {
      assertThat(shares.get(i).memoryLimitBytes()).isGreaterThan(shares.get(i - 1).memoryLimitBytes());
      assertThat(shares.get(i).threads()).isGreaterThanOrEqualTo(shares.get(i - 1).threads());
    }
    DuckDbResources largest = shares.get(shares.size() - 1);
    assertThat(largest.threads()).isEqualTo(PROCESSORS);
    assertThat(2 * largest.memoryLimitBytes()).as("both databases at XLARGE").isLessThan(PHYSICAL);
  }

  private static FeatureSet featureSet(String name, DuckDbOfflineStore store, AtomicReference<Seen> seen) {
    Schema schema = Schema.of(new dev.backfill.api.Field("k", FieldType.STRING), new dev.backfill.api.Field("ts", FieldType.TIMESTAMP),
        new dev.backfill.api.Field("v", FieldType.LONG));
    List<Row> rows = List.of(Row.of(schema, "a", T0.plus(Duration.ofHours(1)), 1L),
        Row.of(schema, "b", T0.plus(Duration.ofHours(2)), 2L));
    return FeatureSet.builder(name).key("k", FieldType.STRING).eventTime("ts").feature("v", FieldType.LONG)
        .source(InMemoryDataSource.of(schema, "ts", rows))
        .transform(Transform.map(schema, row -> {
          try {
            seen.compareAndSet(null, new Seen(settings(store.connection()), settings(DuckDbSession.connect())));
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          return row;
        }))
        .backfillStart(T0).build();
  }

  private static Settings unchecked(DuckDbOfflineStore store) {
    try {
      return settings(store.connection());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the two settings on the connection, and closes it. */
  private static Settings settings(Connection connection) throws SQLException {
    try (Connection c = connection; Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('memory_limit'), current_setting('threads')")) {
      rs.next();
      return new Settings(rs.getString(1), rs.getLong(2));
    }
  }

  /** How DuckDB prints a memory limit of the bytes, rounded to MiB as the store sets it. */
  private static String printed(long bytes) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET memory_limit = '" + (bytes >> 20) + "MiB'");
      return settings(c).memoryLimit();
    }
  }
}
