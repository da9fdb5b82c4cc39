package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.TableSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bad-input list of issue 12 against real servers: each is one line naming the servers, the
 * option or the key, and nothing is written.
 */
class RedisBadInputTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final TableSpec CLICKS = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
      .feature("count", FieldType.LONG).backfillStart(T0).build().table();

  @Test
  void aServerThatIsNotRunningIsOneLineNamingHostAndPort() {
    int port = RedisServer.freePort();

    assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", "redis://127.0.0.1:" + port, "timeout", "2s")),
        "cannot connect to Redis at 127.0.0.1:" + port + " (");
  }

  @Test
  void aServerThatIsNotRedisIsRefused() throws Exception {
    try (ServerSocket http = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> {
        while (!http.isClosed()) {
          try (Socket socket = http.accept(); OutputStream out = socket.getOutputStream()) {
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().read(new byte[256]);
          } catch (IOException closed) {
            return;
          }
        }
      });
      answering.setDaemon(true);
      answering.start();

      assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", "redis://127.0.0.1:" + http.getLocalPort(),
          "timeout", "2s")), "Redis at 127.0.0.1:" + http.getLocalPort());
    }
  }

  @Test
  void clusterTrueAgainstAStandaloneServerAndFalseAgainstAClusterNode() {
    RedisServer single = SharedRedis.single();
    RedisCluster cluster = SharedRedis.cluster();

    assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", single.uri(), "cluster", "true")),
        "option 'cluster' is true but Redis at 127.0.0.1:" + single.port() + " is not a Redis Cluster node");
    RedisServer node = cluster.nodes().get(0);
    assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", node.uri())),
        "Redis at 127.0.0.1:" + node.port() + " is a Redis Cluster node; set option 'cluster' to true");
  }

  @Test
  void aWrongOrMissingPasswordIsALoginError() {
    try (RedisServer locked = RedisServer.start("--requirepass", "right")) {
      assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", "redis://:wrong@127.0.0.1:" + locked.port())),
          "Redis at 127.0.0.1:" + locked.port() + " refused the login (");
      assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", locked.uri())),
          "Redis at 127.0.0.1:" + locked.port() + " refused the login (");
      try (OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", "redis://:right@127.0.0.1:" + locked.port()))) {
        store.createTable(CLICKS);
        assertThat(store.write("clicks", List.of(OnlineWrite.put(EntityKey.of("u"), click("u", 1))))).isEqualTo(1);
      }
    }
  }

  @Test
  void keysOfAnotherLayoutUnderTheNamespaceAreRefusedNamingTheKeyAndNothingIsWritten() {
    RedisServer server = SharedRedis.single();
    String ns = SharedRedis.freshNamespace();
    try (Resp redis = new Resp(server.port())) {
      // Someone else's string key where the table's rows would go.
      redis.call("SET", ns + ":clicks:u1", "42");
      try (OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", server.uri(), "namespace", ns))) {
        assertOneLine(() -> store.createTable(CLICKS), "Redis key '" + ns + ":clicks:u1' is under namespace '" + ns
            + "' where the rows of table 'clicks' go, but that table is not registered in " + ns + ":_tables");
        assertThat(redis.call("EXISTS", ns + ":_tables")).isEqualTo(0L);
        assertThat(redis.call("GET", ns + ":clicks:u1")).isEqualTo("42");
      }

      // A namespace whose bookkeeping key is something else entirely: refused when opening.
      String taken = SharedRedis.freshNamespace();
      redis.call("SET", taken + ":_tables", "not ours");
      assertOneLine(() -> Plugins.onlineStore("redis", Map.of("uri", server.uri(), "namespace", taken)),
          "Redis key '" + taken + ":_tables' is a string, not the hash of table specs");
    }
  }

  @Test
  void aForeignValueAtARowKeyIsAnErrorNamingTheKeyAndTheKeyIsLeftAlone() {
    RedisServer server = SharedRedis.single();
    String ns = SharedRedis.freshNamespace();
    try (Resp redis = new Resp(server.port());
         OnlineStore store = Plugins.onlineStore("redis", Map.of("uri", server.uri(), "namespace", ns))) {
      store.createTable(CLICKS);
      String listKey = ns + ":clicks:{u1}";
      String hashKey = ns + ":clicks:{u2}";
      redis.call("RPUSH", listKey, "x");
      redis.call("HSET", hashKey, "count", "1");

      assertOneLine(() -> store.write("clicks", List.of(OnlineWrite.put(EntityKey.of("u1"), click("u1", 5)))),
          "Redis key '" + listKey + "' holds another type than a hash while writing keys of table 'clicks': it is not a row"
              + " of this store's layout and was left alone");
      assertThat(redis.call("LRANGE", listKey, "0", "-1")).isEqualTo(List.of("x"));
      assertOneLine(() -> store.get("clicks", EntityKey.of("u1")),
          "Redis key '" + listKey + "' holds another type than a hash: it is not a row of this store's layout");
      assertOneLine(() -> store.get("clicks", EntityKey.of("u2")),
          "Redis key '" + hashKey + "' has no field @event_time: it is not a row of this store's layout");
      assertOneLine(() -> store.write("clicks", List.of(OnlineWrite.put(EntityKey.of("u2"), click("u2", 5)))),
          "Redis key '" + hashKey + "' is a hash without the field @event_time while writing keys of table 'clicks'");
      assertThat(redis.hgetall(hashKey)).isEqualTo(Map.of("count", "1"));
    }
  }

  private static Row click(String user, long count) {
    return Row.of(CLICKS.schema(), user, T0, count);
  }

  private static void assertOneLine(Runnable action, String expected) {
    assertThatThrownBy(action::run).isInstanceOf(StoreException.class).hasMessageContaining(expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
