package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.testkit.InMemoryOfflineStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 point 2: the rows are readable by a serving application with plain Redis commands, in
 * the format the README documents. The expected hashes below are written by hand from that format;
 * the reads go over a bare socket ({@link Resp}), with no code of this library.
 */
class RedisLayoutTest {
  private static final Instant T = Instant.parse("2024-03-01T12:34:56.123456Z");

  private static FeatureSet features() {
    return FeatureSet.builder("driver_stats").key("region", FieldType.STRING).key("driver", FieldType.LONG)
        .eventTime("ts").feature("trips", FieldType.LONG).feature("rating", FieldType.DOUBLE)
        .feature("active", FieldType.BOOLEAN).feature("last_seen", FieldType.TIMESTAMP).feature("name", FieldType.STRING)
        .backfillStart(Instant.parse("2024-01-01T00:00:00Z")).build();
  }

  @Test
  void aServingAppReadsRowsWithPlainHgetallInTheDocumentedFormat() {
    String namespace = SharedRedis.freshNamespace();
    RedisServer server = SharedRedis.single();
    FeatureSet fs = features();
    Row full = Row.of(fs.schema(), "eu:west{1}", 42L, T, 17L, 4.75, true, Instant.parse("1969-12-31T23:59:59.5Z"), "Zoë");
    Row sparse = Row.of(fs.schema(), "us", -7L, T, null, Double.NaN, false, null, null);
    try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
        .onlineStore("redis", Map.of("uri", server.uri(), "namespace", namespace)).build();
         Resp redis = new Resp(server.port())) {
      client.register(fs);
      client.ingest("driver_stats", List.of(full, sparse));

      String fullKey = namespace + ":driver_stats:{eu%3Awest%7B1%7D:42}";
      Map<String, String> fullHash = redis.hgetall(fullKey);
      assertThat(fullHash).containsExactlyInAnyOrderEntriesOf(Map.of(
          "@event_time", "1709296496123456",
          "trips", "17",
          "rating", "4.75",
          "active", "true",
          "last_seen", "-500000",
          "name", "Zoë"));
      // Nulls are absent fields; NaN is Java's text for it.
      String sparseKey = namespace + ":driver_stats:{us:-7}";
      assertThat(redis.hgetall(sparseKey)).containsExactlyInAnyOrderEntriesOf(Map.of(
          "@event_time", "1709296496123456", "rating", "NaN", "active", "false"));
      assertThat(redis.scan(namespace + ":driver_stats:*")).containsExactlyInAnyOrder(fullKey, sparseKey);

      // The same values, decoded by hand as a serving app would, are what readOnline returns.
      Row online = client.readOnline("driver_stats", EntityKey.of("eu:west{1}", 42L)).orElseThrow();
      assertThat(online).isEqualTo(full);
      assertThat(Instant.EPOCH.plusNanos(Long.parseLong(fullHash.get("@event_time")) * 1_000)).isEqualTo(online.getInstant("ts"));
      assertThat(Long.parseLong(fullHash.get("trips"))).isEqualTo(online.getLong("trips"));
      assertThat(Double.parseDouble(fullHash.get("rating"))).isEqualTo(online.getDouble("rating"));
      assertThat(Boolean.parseBoolean(fullHash.get("active"))).isEqualTo(online.getBoolean("active"));
      assertThat(Instant.EPOCH.plusNanos(Long.parseLong(fullHash.get("last_seen")) * 1_000)).isEqualTo(online.getInstant("last_seen"));
      assertThat(fullHash.get("name")).isEqualTo(online.getString("name"));
      assertThat(client.readOnline("driver_stats", EntityKey.of("us", -7L))).contains(sparse);

      // The table's spec sits in the namespace's bookkeeping hash, as text.
      assertThat(redis.hgetall(namespace + ":_tables")).containsEntry("driver_stats",
          "schema=region STRING,driver LONG,ts TIMESTAMP,trips LONG,rating DOUBLE,active BOOLEAN,last_seen TIMESTAMP,name STRING;"
              + "keys=region,driver;event-time=ts");
    }
  }

  @Test
  void aRowWrittenByAnotherProgramInTheLayoutIsReadBack() {
    // The layout is a two-way contract: a producer in another language may write rows too.
    String namespace = SharedRedis.freshNamespace();
    RedisServer server = SharedRedis.single();
    FeatureSet fs = features();
    try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
        .onlineStore("redis", Map.of("uri", server.uri(), "namespace", namespace)).build();
         Resp redis = new Resp(server.port())) {
      client.register(fs);
      redis.call("HSET", namespace + ":driver_stats:{eu:5}", "@event_time", "0", "trips", "3", "name", "a:b");

      assertThat(client.readOnline("driver_stats", EntityKey.of("eu", 5L)))
          .contains(Row.of(fs.schema(), "eu", 5L, Instant.EPOCH, 3L, null, null, null, "a:b"));
    }
  }
}
