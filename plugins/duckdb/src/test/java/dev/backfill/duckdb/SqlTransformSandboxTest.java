package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbQueryTransform;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Slice;
import dev.backfill.spi.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sql transform reads only the backfill's source, on both paths: the JVM path (the query runs
 * in the sandbox) and the fast path (the query runs inside the offline store's own database,
 * which reads the source's files, and is taken only after the sandbox accepted the query).
 * Every refusal is one line naming what was refused, and leaves both stores unchanged.
 */
class SqlTransformSandboxTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final TimeRange DAY = TimeRange.of(T0, T0.plus(Duration.ofDays(1)));

  @TempDir Path dir;
  private Path secret;
  private Path other;
  private DataSource source;
  private BothPaths paths;
  private DuckDbOfflineStore fastStore;
  private BackfillClient fast;
  private BackfillClient jvm;

  @BeforeEach
  void stores() throws Exception {
    secret = Files.writeString(dir.resolve("secret.txt"), "the password is swordfish\n");
    other = Files.writeString(dir.resolve("other.csv"), "user_id,bonus\nann,1000\n");
    Path events = Files.writeString(dir.resolve("events.csv"), """
        user_id,ts,n,amount
        ann,2024-01-01 00:00:00,1,1.5
        bob,2024-01-01 06:00:00,2,2.5
        ann,2024-01-01 12:00:00,3,3.5
        """);
    source = DuckDbFileSource.csv(events, "ts");
    // Another feature set of the same store, "payroll": a transform of "events" must not read it.
    paths = new BothPaths(dir, featureSet("events"), featureSet("payroll"));
    fast = paths.fast;
    jvm = paths.jvm;
    fastStore = paths.fastStore;
    for (BackfillClient client : paths.clients()) {
      client.backfill("events").reset().between(DAY.start(), DAY.stop()).run();
      client.backfill("payroll").reset().between(DAY.start(), DAY.stop()).run();
    }
  }

  private FeatureSet featureSet(String name) {
    return FeatureSet.builder(name).key("user_id", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).feature("amount", FieldType.DOUBLE).source(source).backfillStart(T0).build();
  }

  @AfterEach
  void close() {
    paths.close();
  }

  private static List<Row> offline(BackfillClient client, String featureSet) {
    try (Stream<Row> rows = client.readOffline(featureSet, TimeRange.all())) {
      return rows.sorted(Comparator.comparing(Row::toString)).toList();
    }
  }

  @Test
  void statementsOtherThanOneSelectAreRefusedWhenTheTransformIsMade() {
    Path copied = dir.resolve("copied.csv");
    Path attached = dir.resolve("attached.duckdb");
    Map<String, String> refusals = Map.of(
        "COPY (SELECT * FROM source) TO '" + copied + "'", "a COPY statement",
        "ATTACH '" + attached + "' AS stolen", "an ATTACH statement",
        "INSTALL httpfs", "an INSTALL statement",
        "LOAD httpfs", "a LOAD statement",
        "SET enable_external_access = true", "a SET statement",
        "PRAGMA enable_profiling", "a PRAGMA statement",
        "SELECT * FROM source; SELECT * FROM source", "2 statements",
        "SELECT * FROM source; COPY (SELECT 1) TO '" + copied + "'", "more than one statement");
    refusals.forEach((query, refused) -> assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", query)))
        .as(query).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("transform 'sql': option query '" + query + "' is refused: " + refused)
        .hasMessageContaining("one SELECT over the relation source").hasMessageNotContaining("\n"));
    assertThat(copied).doesNotExist();
    assertThat(attached).doesNotExist();
  }

  @Test
  void aQueryReachingOutsideItsSourceIsRefusedOnBothPathsAndChangesNothing() {
    Map<String, String> refusals = Map.of(
        "SELECT s.* FROM source s, read_text('" + secret + "') t", "Cannot access file \"" + secret + "\"",
        "SELECT s.* FROM source s, read_csv('" + other + "') o", "Cannot access file \"" + other + "\"",
        "SELECT s.* FROM source s, '" + other + "' o", "Cannot access file \"" + other + "\"",
        "SELECT s.* FROM source s, glob('" + dir + "/*') g", "Cannot access file",
        "SELECT s.* FROM source s, read_parquet('s3://bucket/flights.parquet') p", "s3://bucket/flights.parquet",
        "SELECT s.* FROM source s, read_parquet('https://example.com/flights.parquet') p", "https://example.com");
    for (BackfillClient client : paths.clients()) {
      List<Row> before = offline(client, "events");
      refusals.forEach((query, named) -> {
        Transform transform = Plugins.transform("sql", Map.of("query", query));
        assertThatThrownBy(() -> client.backfill("events").between(DAY.start(), DAY.stop()).transform(transform).run())
            .as(query).isInstanceOf(InvalidBackfillRequestException.class)
            .hasMessageContaining("option query '" + query + "' is refused: it reaches outside the relation source")
            .hasMessageContaining(named).hasMessageContaining("allow-external-access").hasMessageNotContaining("\n");
      });
      assertThat(offline(client, "events")).isEqualTo(before);
    }
    assertThat(fastStore.stagedInStore()).as("no refused query reached the store's database").isEqualTo(2);
  }

  @Test
  void anExtensionOrAnotherTableOfTheStoreIsRefusedOnBothPaths() {
    Transform spatial = Plugins.transform("sql", Map.of("query",
        "SELECT user_id, ts, n, amount + ST_X(ST_Point(1, 2)) AS amount FROM source"));
    Transform payroll = Plugins.transform("sql", Map.of("query",
        "SELECT * FROM source UNION ALL SELECT * FROM payroll"));
    for (BackfillClient client : paths.clients()) {
      assertThatThrownBy(() -> client.backfill("events").between(DAY.start(), DAY.stop()).transform(spatial).run())
          .isInstanceOf(InvalidBackfillRequestException.class)
          .hasMessageContaining("is refused: it needs a DuckDB extension").hasMessageContaining("spatial");
      assertThatThrownBy(() -> client.backfill("events").between(DAY.start(), DAY.stop()).transform(payroll).run())
          .isInstanceOf(InvalidBackfillRequestException.class)
          .hasMessageContaining("does not bind").hasMessageContaining("payroll");
      assertThat(offline(client, "events")).hasSize(3);
    }
  }

  /**
   * A transform that claims to be a DuckDB query but skips the checks of SqlTransform; the store
   * must check the query itself, without asking the transform.
   */
  private record UncheckedQuery(String query, boolean allowsExternalAccess) implements Transform, DuckDbQueryTransform {
    @Override
    public Schema outputSchema(Schema input) {
      throw new AssertionError("the store must not rely on the transform's own outputSchema");
    }

    @Override
    public Stream<Row> apply(Stream<Row> input) {
      throw new AssertionError("the fast path never streams rows through apply");
    }
  }

  @Test
  void theStoreChecksAQueryInTheSandboxBeforeItRunsItOnItsOwnDatabase() {
    String exfiltrate = "SELECT s.user_id, s.ts, s.n, s.amount FROM source s UNION ALL "
        + "SELECT content, TIMESTAMP '2024-01-01 01:00:00', 0, 0 FROM read_text('" + secret + "')";
    try (OfflineReplacement replacement = fastStore.beginReplace("events", Optional.of(DAY), "c1")) {
      assertThatThrownBy(() -> replacement.stageFrom(source, new UncheckedQuery(exfiltrate, false), List.of(new Slice(DAY, DAY, Duration.ZERO))))
          .isInstanceOf(StoreException.class).hasMessageContaining("offline table 'events': the sql transform was not run")
          .hasMessageContaining("is refused: it reaches outside the relation source").hasMessageContaining(secret.toString());
    }
    String injected = "SELECT * FROM source) q; CREATE TABLE main.injected AS SELECT 1; SELECT * FROM (SELECT * FROM source";
    try (OfflineReplacement replacement = fastStore.beginReplace("events", Optional.of(DAY), "c2")) {
      assertThatThrownBy(() -> replacement.stageFrom(source, new UncheckedQuery(injected, false), List.of(new Slice(DAY, DAY, Duration.ZERO))))
          .isInstanceOf(StoreException.class).hasMessageContaining("the sql transform was not run");
    }
    try (OfflineReplacement replacement = fastStore.beginReplace("events", Optional.of(DAY), "c3")) {
      assertThat(replacement.stageFrom(source, new UncheckedQuery(exfiltrate, true), List.of(new Slice(DAY, DAY, Duration.ZERO))))
          .as("a query allowed external access is left to the JVM path").isEmpty();
    }
    assertThat(offline(fast, "events")).hasSize(3).noneMatch(row -> row.toString().contains("swordfish"));
    assertThat(fastStore.table("injected")).isEmpty();
  }

  @Test
  void allowExternalAccessLiftsTheSandboxForATrustedSetupOnTheJvmPath() {
    String join = "SELECT s.user_id, s.ts, s.n, s.amount + coalesce(o.bonus, 0) AS amount "
        + "FROM source s LEFT JOIN read_csv('" + other + "') o USING (user_id)";
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", join, "allow-external-access", "yes")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("allow-external-access 'yes'")
        .hasMessageContaining("true or false");
    Transform trusted = Plugins.transform("sql", Map.of("query", join, "allow-external-access", "true"));
    assertThat(trusted.toString()).contains("external access allowed");
    long stagedBefore = fastStore.stagedInStore();
    for (BackfillClient client : paths.clients()) {
      client.backfill("events").between(DAY.start(), DAY.stop()).transform(trusted).run();
      assertThat(offline(client, "events")).extracting(row -> row.getDouble("amount")).containsExactlyInAnyOrder(1001.5, 1003.5, 2.5);
    }
    assertThat(fastStore.stagedInStore()).as("the store does not run a query allowed external access").isEqualTo(stagedBefore);
  }

  /**
   * The databases' memory and threads follow the backfills' templates, so their configuration
   * is not locked; what keeps users' queries from changing it is that only one SELECT gets
   * through (above), and that DuckDB itself refuses to open the sandbox back up while it runs.
   */
  @Test
  void theSandboxCannotBeOpenedUpAgainWhileItRuns() throws Exception {
    try (Connection sandbox = DuckDbSession.connectSandbox()) {
      for (String change : List.of("SET enable_external_access = true", "SET GLOBAL enable_external_access = true")) {
        try (Statement s = sandbox.createStatement()) {
          assertThatThrownBy(() -> s.execute(change)).as(change).isInstanceOf(SQLException.class)
              .hasMessageContaining("Cannot change enable_external_access setting while database is running");
        }
      }
      try (Statement s = sandbox.createStatement()) {
        assertThatThrownBy(() -> s.executeQuery("SELECT * FROM read_text('" + secret + "')")).isInstanceOf(SQLException.class)
            .hasMessageContaining("Permission Error");
      }
    }
    assertThatThrownBy(() -> Plugins.transform("sql", Map.of("query", "SET GLOBAL threads = 1")))
        .isInstanceOf(InvalidBackfillRequestException.class).hasMessageContaining("is refused: a SET statement");
  }
}
