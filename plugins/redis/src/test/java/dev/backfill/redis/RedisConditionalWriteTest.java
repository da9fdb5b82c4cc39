package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 point 3: conditions are evaluated in Redis, atomically per key, so they hold between
 * clients that share nothing but the server (here: separate stores, each with its own connection).
 */
class RedisConditionalWriteTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final TableSpec SPEC = FeatureSet.builder("scores").key("user", FieldType.STRING).eventTime("ts")
      .feature("score", FieldType.LONG).backfillStart(T0).build().table();

  @Test
  void theEnginesConditionsRunOnTheServerWithoutAClientRead() {
    RedisServer server = SharedRedis.single();
    try (OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", server.uri(), "namespace",
        SharedRedis.freshNamespace(), "batch-size", "500"))) {
      store.createTable(SPEC);
      List<OnlineWrite> writes = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        Row row = row("u" + i, i, i);
        writes.add(i % 2 == 0 ? OnlineWrite.putIfLater(SPEC.keyOf(row), row, SPEC.latestOrder())
            : OnlineWrite.fenced(SPEC.keyOf(row), Optional.of(row), "ts", T0.plusSeconds(10_000)));
      }
      long evalshaBefore = calls(server, "evalsha");
      long hgetallBefore = calls(server, "hgetall");

      assertThat(store.write(SPEC.name(), writes)).isEqualTo(1_000);

      // Batches of 500 keys, each in calls of 100 keys: 10 script calls for 1,000 keys.
      assertThat(calls(server, "evalsha") - evalshaBefore).as("script calls").isEqualTo(10);
      assertThat(calls(server, "hgetall") - hgetallBefore).as("no read by the client").isZero();
      assertThat(store.get(SPEC.name(), EntityKey.of("u7"))).contains(row("u7", 7, 7));
    }
  }

  @Test
  void newestWinsAndCompareAndSetHoldAcrossIndependentClients() throws Exception {
    RedisServer server = SharedRedis.single();
    Map<String, String> options = Map.of("uri", server.uri(), "namespace", SharedRedis.freshNamespace());
    int clients = 4;
    int keys = 40;
    List<OnlineStore> stores = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      stores.add(Plugins.onlineStore("redis", options));
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      stores.get(0).createTable(SPEC);
      stores.get(0).write(SPEC.name(), List.of(OnlineWrite.put(EntityKey.of("counter"), row("counter", 0, 0))));
      List<Row> written = Collections.synchronizedList(new ArrayList<>());
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        OnlineStore store = stores.get(c);
        Random random = new Random(c);
        futures.add(pool.submit(() -> {
          for (int round = 0; round < 100; round++) {
            List<OnlineWrite> batch = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
              // Few distinct event times, so that many writes tie on the time and are decided by the
              // rest of the row (in the client, by compare-and-set).
              Row row = row("k" + k, random.nextInt(3), random.nextInt(1_000));
              written.add(row);
              batch.add(OnlineWrite.putIfLater(SPEC.keyOf(row), row, SPEC.latestOrder()));
            }
            store.write(SPEC.name(), batch);
            // A lambda condition: compare-and-set increments, which lose counts unless atomic.
            while (true) {
              Row seen = store.get(SPEC.name(), EntityKey.of("counter")).orElseThrow();
              Row next = row("counter", 0, seen.getLong("score") + 1);
              if (store.write(SPEC.name(), List.of(new OnlineWrite(EntityKey.of("counter"), Optional.of(next),
                  stored -> stored.isPresent() && stored.get().equals(seen)))) == 1) {
                break;
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get(2, TimeUnit.MINUTES);
      }

      Map<EntityKey, Row> latest = new HashMap<>();
      for (Row row : written) {
        latest.merge(SPEC.keyOf(row), row, SPEC::laterOf);
      }
      assertThat(stores.get(1).getAll(SPEC.name(), latest.keySet())).isEqualTo(latest);
      assertThat(stores.get(2).get(SPEC.name(), EntityKey.of("counter")).orElseThrow().getLong("score"))
          .isEqualTo(clients * 100L);
    } finally {
      pool.shutdownNow();
      stores.forEach(OnlineStore::close);
    }
  }

  private static Row row(String user, int second, long score) {
    return Row.of(SPEC.schema(), user, T0.plusSeconds(second), score);
  }

  /** How many times the server ran a command, from INFO commandstats. */
  static long calls(RedisServer server, String command) {
    String info = (String) server.command("INFO", "commandstats");
    Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
