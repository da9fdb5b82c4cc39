package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cancel stops a backfill stuck in a DuckDB query that would run for hours: on the fast path
 * (the store's own staging query, stopped by {@code OfflineReplacement.cancel()}) and on the
 * JVM path (the sql transform's query, stopped when the engine closes the transform's input).
 * Before, the cancel only set a flag the blocked query never looked at: the job, and the
 * client's {@code close()}, waited for the query to end.
 */
// A test that fails must fail, not hang the build with the job it could not stop.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DuckDbCancellationTest {
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
  /** Far beyond the second a cancel takes, so that a slow machine does not fail the test. */
  private static final Duration PROMPTLY = Duration.ofSeconds(20);
  /**
   * Every input row against a hundred billion numbers, keeping none (the sum is never negative):
   * hours of work that DuckDB cannot optimise away, since the condition needs both sides.
   */
  private static final String ENDLESS = "SELECT s.* FROM source s, range(100000000000) r WHERE (r.range + s.trips) % 7 = -1";

  @TempDir Path dir;

  @ParameterizedTest(name = "fast path {0}")
  @ValueSource(booleans = {true, false})
  void aCancelStopsABackfillStuckInASlowDuckDbQuery(boolean fastPath) throws Exception {
    Path csv = dir.resolve("trips.csv");
    Files.writeString(csv, "driver,day,trips\nann,2024-01-02,3\nbob,2024-01-03,4\n");
    FeatureSet trips = FeatureSet.builder("trips").key("driver", FieldType.STRING).eventTime("day")
        .feature("trips", FieldType.LONG).source(DuckDbFileSource.csv(csv, "day")).backfillStart(DAY0).build();
    DuckDbOfflineStore offline = DuckDbOfflineStore.open(Optional.of(dir.resolve("offline.duckdb")), fastPath);
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(online).build();
    try (offline) {
      client.register(trips);
      client.backfill("trips").between(DAY0, DAY0.plus(Duration.ofDays(10))).run();
      List<Row> before = offlineRows(client);
      Optional<Row> annBefore = client.readOnline("trips", EntityKey.of("ann"));
      assertThat(before).hasSize(2);

      BackfillJob job = client.backfill("trips").between(DAY0, DAY0.plus(Duration.ofDays(10)))
          .transform(SqlTransform.of(ENDLESS, Duration.ZERO)).submit();
      awaitRunning(job);
      // Long enough for the source to be read and the endless query to be running.
      Thread.sleep(1_500);
      assertThat(job.status()).as("the query runs for hours").isEqualTo(BackfillStatus.RUNNING);

      assertThat(job.cancel()).isTrue();

      assertThatThrownBy(() -> job.await(PROMPTLY)).as("CANCELLED within seconds, not when the query ends")
          .isInstanceOf(BackfillCancelledException.class);
      awaitNoDuckDbQueryRunning();
      assertThat(offlineRows(client)).isEqualTo(before);
      assertThat(client.readOnline("trips", EntityKey.of("ann"))).isEqualTo(annBefore);
      CompletableFuture.runAsync(client::close).get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /**
   * The query itself stopped: the job could also end CANCELLED by abandoning a worker stuck in
   * it, which would leave the query burning a core for hours.
   */
  private static void awaitNoDuckDbQueryRunning() throws InterruptedException {
    long deadline = System.nanoTime() + PROMPTLY.toNanos();
    while (true) {
      List<String> inQuery = Thread.getAllStackTraces().entrySet().stream()
          .filter(e -> Stream.of(e.getValue()).anyMatch(frame -> frame.getClassName().equals("org.duckdb.DuckDBNative")
              && (frame.getMethodName().contains("execute") || frame.getMethodName().contains("fetch"))))
          .map(e -> e.getKey().getName()).toList();
      if (inQuery.isEmpty()) {
        return;
      }
      assertThat(System.nanoTime()).as("threads still in a DuckDB query: %s", inQuery).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void awaitRunning(BackfillJob job) throws InterruptedException {
    long deadline = System.nanoTime() + PROMPTLY.toNanos();
    while (job.status() != BackfillStatus.RUNNING) {
      assertThat(System.nanoTime()).as("the job starts").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static List<Row> offlineRows(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline("trips", TimeRange.all())) {
      return rows.sorted(java.util.Comparator.comparing(Row::toString)).toList();
    }
  }
}
