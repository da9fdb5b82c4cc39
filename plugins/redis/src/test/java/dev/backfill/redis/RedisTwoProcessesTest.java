package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 point 7: two JVMs backfill and ingest different feature sets into one Redis, in one
 * namespace, at the same time; both succeed, and each feature set holds exactly its own rows.
 */
class RedisTwoProcessesTest {
  private static final int KEYS = 20_000;

  @Test
  void twoProcessesBackfillDifferentFeatureSetsIntoOneRedisAtOnce() throws Exception {
    RedisServer server = SharedRedis.single();
    String namespace = SharedRedis.freshNamespace();
    Process first = child(server, namespace, "orders");
    Process second = child(server, namespace, "payments");

    for (Process child : List.of(first, second)) {
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("child finished in time").isTrue();
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.exitValue()).as("exit code; output: %s", out).isZero();
      assertThat(out).startsWith("done " + KEYS);
    }

    try (OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", server.uri(), "namespace", namespace))) {
      for (String name : List.of("orders", "payments")) {
        FeatureSet fs = ChildBackfillMain.featureSet(name, List.of());
        Map<EntityKey, Row> expected = new HashMap<>();
        Stream.concat(ChildBackfillMain.backfilled(name, KEYS).stream(), ChildBackfillMain.ingested(name, KEYS).stream())
            .forEach(r -> expected.merge(fs.keyOf(r), r, fs.table()::laterOf));
        assertThat(store.getAll(name, expected.keySet())).as(name).isEqualTo(expected);
        try (Stream<EntityKey> keys = store.keys(name)) {
          assertThat(keys.count()).as("keys of %s", name).isEqualTo(KEYS);
        }
      }
    }
    try (Resp redis = new Resp(server.port())) {
      assertThat(redis.scan(namespace + ":*")).hasSize(2 * KEYS + 1);
    }
  }

  private static Process child(RedisServer server, String namespace, String name) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        ChildBackfillMain.class.getName(), server.uri(), namespace, name, Integer.toString(KEYS))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
