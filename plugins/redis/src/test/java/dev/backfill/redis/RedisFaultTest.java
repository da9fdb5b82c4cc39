package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.InMemoryDataSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 5: Redis stopped, restarted, slow or partly down. The servers here are the
 * tests' own, persistent where a restart must keep the data.
 */
class RedisFaultTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final int KEYS = 60_000;

  @TempDir
  Path dir;

  private static FeatureSet featureSet(List<Row> rows) {
    FeatureSet shape = FeatureSet.builder("visits").key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.LONG).backfillStart(T0.minusSeconds(86_400)).build();
    return FeatureSet.builder("visits").key("user", FieldType.STRING).eventTime("ts").feature("count", FieldType.LONG)
        .source(InMemoryDataSource.of(shape.schema(), "ts", rows)).backfillStart(T0.minusSeconds(86_400)).build();
  }

  private static List<Row> rows(FeatureSet shape, int generation) {
    return IntStream.range(0, KEYS).mapToObj(i -> Row.of(shape.schema(), "u" + i, T0.plusSeconds(i % 600), (long) i * 10 + generation))
        .toList();
  }

  private BackfillClient client(RedisServer server, String timeout) {
    return BackfillClient.builder().offlineStore("duckdb", Map.of("path", dir.resolve("offline.duckdb").toString()))
        .onlineStore("redis", Map.of("uri", server.uri(), "timeout", timeout)).jobHistory(dir.resolve("jobs")).build();
  }

  private static void assertEveryKeyIsLatest(RedisServer server, FeatureSet fs, List<Row> rows) {
    Map<EntityKey, Row> latest = new HashMap<>();
    rows.forEach(r -> latest.merge(fs.keyOf(r), r, fs.table()::laterOf));
    try (OnlineStore check = Plugins.onlineStore("redis", Map.of("uri", server.uri()))) {
      assertThat(check.getAll("visits", latest.keySet())).isEqualTo(latest);
      try (var keys = check.keys("visits")) {
        assertThat(keys.count()).isEqualTo(latest.size());
      }
    }
  }

  @Test
  void restartedDuringTheReconciliationTheJobRetriesAndSucceeds() {
    try (RedisServer server = RedisServer.startPersistent()) {
      FeatureSet shape = featureSet(List.of());
      List<Row> first = rows(shape, 1);
      List<Row> second = rows(shape, 2);
      try (BackfillClient client = client(server, "60s")) {
        client.register(featureSet(first));
        client.backfill("visits").reset().run();
        BackfillJob job = client.backfill("visits").reset().source(InMemoryDataSource.of(shape.schema(), "ts", second)).submit();
        // The reset rewrites every key; stop once a sixth of them carry the new values.
        waitForNewValues(server, job, KEYS / 6);
        server.stop();
        RedisServer.sleep(1_000);
        // A second without Redis, and the job is still at it: retrying, not failed, not done.
        assertThat(job.status()).isEqualTo(BackfillStatus.RUNNING);
        server.restart();

        assertThat(job.await().onlineKeysWritten()).isPositive();
        assertThat(job.status()).isEqualTo(BackfillStatus.SUCCEEDED);
        assertEveryKeyIsLatest(server, shape, second);
      }
    }
  }

  @Test
  void downLongerThanTheTimeoutTheJobFailsClearlyAndTheNextClientFinishesTheReconciliation() {
    try (RedisServer server = RedisServer.startPersistent()) {
      FeatureSet shape = featureSet(List.of());
      List<Row> second = rows(shape, 2);
      String jobId;
      try (BackfillClient client = client(server, "2s")) {
        client.register(featureSet(rows(shape, 1)));
        client.backfill("visits").reset().run();
        BackfillJob job = client.backfill("visits").reset().source(InMemoryDataSource.of(shape.schema(), "ts", second)).submit();
        jobId = job.id();
        waitForNewValues(server, job, KEYS / 6);
        server.stop();

        assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
            .hasMessageContaining("Redis at 127.0.0.1:" + server.port() + " could not be reached for PT2S (option 'timeout')");
      }
      server.restart();
      try (BackfillClient next = client(server, "2s")) {
        assertThat(next.job(jobId).orElseThrow().status()).isEqualTo(BackfillStatus.SUCCEEDED);
        assertEveryKeyIsLatest(server, shape, second);
      }
    }
  }

  /** Waits until {@code count} keys hold the new generation's values (count ends in 2). */
  private static void waitForNewValues(RedisServer server, BackfillJob job, int count) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    try (Resp redis = new Resp(server.port())) {
      while (true) {
        int fresh = 0;
        for (int i = 0; i < KEYS; i += KEYS / 60) {
          Object value = redis.call("HGET", "backfill:visits:{u" + i + "}", "count");
          if (value != null && ((String) value).endsWith("2")) {
            fresh++;
          }
        }
        if (fresh * (KEYS / 60) >= count) {
          return;
        }
        assertThat(job.status().isTerminal()).as("the job ended before its online writes could be interrupted").isFalse();
        assertThat(System.nanoTime()).isLessThan(deadline);
      }
    }
  }

  @Test
  void aServerSlowerThanTheTimeoutIsAClearErrorAndTheStoreWorksAfterwards() throws Exception {
    try (RedisServer server = RedisServer.start("--enable-debug-command", "yes");
         OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", server.uri(), "timeout", "1s"))) {
      TableSpec spec = featureSet(List.of()).table();
      store.createTable(spec);
      Row row = Row.of(spec.schema(), "u1", T0, 1L);
      store.write("visits", List.of(OnlineWrite.put(EntityKey.of("u1"), row)));
      Thread sleeper = new Thread(() -> server.command("DEBUG", "SLEEP", "3"));
      sleeper.start();
      RedisServer.sleep(200);

      assertThatThrownBy(() -> store.get("visits", EntityKey.of("u1"))).isInstanceOf(StoreException.class)
          .hasMessage("Redis at 127.0.0.1:" + server.port() + " did not answer within PT1S (option 'timeout') while reading"
              + " keys of table 'visits'; check the server's load and the network, or raise the timeout");
      sleeper.join();
      assertThat(store.get("visits", EntityKey.of("u1"))).contains(row);
    }
  }

  @Test
  void aClusterNodeDownIsAnErrorNeverASilentlyStaleKey() {
    try (RedisCluster cluster = RedisCluster.start();
         OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", cluster.uri(), "cluster", "true", "timeout", "2s"))) {
      TableSpec spec = featureSet(List.of()).table();
      store.createTable(spec);
      List<OnlineWrite> before = new ArrayList<>();
      List<OnlineWrite> after = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        before.add(OnlineWrite.put(EntityKey.of("u" + i), Row.of(spec.schema(), "u" + i, T0, 1L)));
        after.add(OnlineWrite.put(EntityKey.of("u" + i), Row.of(spec.schema(), "u" + i, T0.plusSeconds(1), 2L)));
      }
      assertThat(store.write("visits", before)).isEqualTo(300);
      RedisServer down = cluster.nodes().get(1);
      down.stop();

      assertThatThrownBy(() -> store.write("visits", after)).isInstanceOf(StoreException.class)
          .hasMessageContaining("while writing keys of table 'visits'");
      // Reads of the keys the dead node served fail too, rather than answering "no row".
      assertThatThrownBy(() -> store.getAll("visits", after.stream().map(OnlineWrite::key).toList()))
          .isInstanceOf(StoreException.class).hasMessageContaining("while reading keys of table 'visits'");
    }
  }
}
