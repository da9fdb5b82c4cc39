package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOfflineStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 point 6: a serving application reading with plain Redis commands during a reset of
 * 100,000 keys never sees a key missing that has a row before and after, and never sees a key go
 * back to its old value once it saw the new one.
 */
class RedisServingDuringBackfillTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final int KEYS = 100_000;

  private static FeatureSet featureSet(List<Row> rows) {
    FeatureSet shape = FeatureSet.builder("profiles").key("user", FieldType.STRING).eventTime("ts")
        .feature("version", FieldType.LONG).backfillStart(T0.minusSeconds(86_400)).build();
    return FeatureSet.builder("profiles").key("user", FieldType.STRING).eventTime("ts").feature("version", FieldType.LONG)
        .source(InMemoryDataSource.of(shape.schema(), "ts", rows)).backfillStart(T0.minusSeconds(86_400)).build();
  }

  /** Version 1 for every key; version 2 for all but every tenth key, which the reset removes. */
  private static List<Row> rows(int version) {
    FeatureSet shape = featureSet(List.of());
    return IntStream.range(0, KEYS).filter(i -> version == 1 || i % 10 != 0)
        .mapToObj(i -> Row.of(shape.schema(), "u" + i, T0.plusSeconds(i % 1_000), (long) version)).toList();
  }

  @Test
  void aReaderWithPlainCommandsNeverSeesAKeyMissingOrGoingBack() throws Exception {
    RedisServer server = SharedRedis.single();
    String namespace = SharedRedis.freshNamespace();
    try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
        .onlineStore("redis", Map.of("uri", server.uri(), "namespace", namespace)).build()) {
      client.register(featureSet(rows(1)));
      client.backfill("profiles").reset().run();

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong passes = new AtomicLong();
      Set<String> sawOld = Collections.synchronizedSet(new HashSet<>());
      Set<String> sawNew = Collections.synchronizedSet(new HashSet<>());
      List<String> problems = Collections.synchronizedList(new ArrayList<>());
      List<Integer> sample = IntStream.range(0, KEYS).filter(i -> i % 37 == 0).boxed().toList();
      Thread reader = new Thread(() -> {
        try (Resp redis = new Resp(server.port())) {
          Set<Integer> upgraded = new HashSet<>();
          boolean last = false;
          while (!last) {
            last = stop.get();
            for (int i : sample) {
              String key = namespace + ":profiles:{u" + i + "}";
              // GET-style read of one field, and the whole hash, as serving apps do.
              Object version = i % 2 == 0 ? redis.call("HGET", key, "version") : redis.hgetall(key).get("version");
              boolean removed = i % 10 == 0;
              if (version == null) {
                if (!removed) {
                  problems.add("key u" + i + " was missing");
                }
              } else if (version.equals("1")) {
                sawOld.add("u" + i);
                if (upgraded.contains(i)) {
                  problems.add("key u" + i + " went back to version 1 after version 2");
                }
              } else if (version.equals("2")) {
                sawNew.add("u" + i);
                upgraded.add(i);
              } else {
                problems.add("key u" + i + " had version " + version);
              }
            }
            passes.incrementAndGet();
          }
        }
      });
      reader.start();
      BackfillJob job = client.backfill("profiles").reset().source(InMemoryDataSource.of(
          featureSet(List.of()).schema(), "ts", rows(2))).submit();
      var result = job.await();
      stop.set(true);
      reader.join();

      assertThat(problems).isEmpty();
      assertThat(result.onlineKeysWritten()).isEqualTo(KEYS - KEYS / 10);
      assertThat(result.onlineKeysDeleted()).isEqualTo(KEYS / 10);
      assertThat(passes.get()).isGreaterThanOrEqualTo(2);
      assertThat(sawOld).isNotEmpty();
      assertThat(sawNew).hasSize((int) sample.stream().filter(i -> i % 10 != 0).count());
      try (Resp redis = new Resp(server.port())) {
        assertThat(redis.scan(namespace + ":profiles:*")).hasSize(KEYS - KEYS / 10);
      }
    }
  }
}
