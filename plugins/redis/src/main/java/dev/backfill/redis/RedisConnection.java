package dev.backfill.redis;

import dev.backfill.api.StoreException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Lettuce connections of a store: to one server, or to a Redis Cluster through its seed nodes.
 * Batches of commands go through {@link #borrow()}ed connections, which a cluster routes by key
 * slot; key scans go to every master ({@link #masters()}) over the shared connection. Thread-safe.
 */
final class RedisConnection implements AutoCloseable {
  private final RedisOptions options;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> single;
  private final RedisClusterClient clusterClient;
  private final StatefulRedisClusterConnection<String, String> cluster;
  private final java.util.Queue<io.lettuce.core.api.StatefulConnection<String, String>> pipelines =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.Queue<io.lettuce.core.api.StatefulConnection<String, String>> opened =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  private RedisConnection(RedisOptions options, RedisClient client, StatefulRedisConnection<String, String> single,
      RedisClusterClient clusterClient, StatefulRedisClusterConnection<String, String> cluster) {
    this.options = options;
    this.client = client;
    this.single = single;
    this.clusterClient = clusterClient;
    this.cluster = cluster;
  }

  /**
   * Connects and checks that the server is what the options say: a Redis server that accepts
   * the credentials, a cluster node exactly when {@code cluster} is true.
   *
   * @throws StoreException naming the servers, with what went wrong and what to check
   */
  static RedisConnection open(RedisOptions options) {
    SocketOptions socket = SocketOptions.builder().connectTimeout(min(options.timeout(), Duration.ofSeconds(10))).build();
    // Commands sent while the connection is down are refused at once rather than queued: the store
    // then knows they never reached the server and may retry them (see RedisOnlineStore#run).
    if (!options.cluster()) {
      RedisClient client = RedisClient.create(options.uris().get(0));
      client.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(TimeoutOptions.enabled(options.timeout()))
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).autoReconnect(true).build());
      StatefulRedisConnection<String, String> connection = null;
      for (int attempt = 1; connection == null; attempt++) {
        try {
          connection = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
          // Lettuce sometimes reports a refused login as the connection closing under the
          // handshake; a second attempt then gets the server's own answer (WRONGPASS, NOAUTH).
          if (attempt < 3 && messages(e).contains("closed prematurely")) {
            continue;
          }
          shutdown(client);
          throw connectFailure(options, e);
        }
      }
      RedisConnection opened = new RedisConnection(options, client, connection, null, null);
      try {
        String info = connection.sync().info("cluster");
        if (info.contains("cluster_enabled:1")) {
          throw new StoreException("Redis at " + options.servers() + " is a Redis Cluster node; set option 'cluster' to true"
              + " (the URI is then a seed node), or point option 'uri' at a standalone server");
        }
      } catch (StoreException e) {
        opened.close();
        throw e;
      } catch (RuntimeException e) {
        opened.close();
        throw connectFailure(options, e);
      }
      return opened;
    }
    RedisClusterClient client = RedisClusterClient.create(options.uris());
    client.setOptions(ClusterClientOptions.builder().socketOptions(socket)
        .timeoutOptions(TimeoutOptions.enabled(options.timeout()))
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).autoReconnect(true)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
        .build());
    try {
      return new RedisConnection(options, null, null, client, client.connect(StringCodec.UTF8));
    } catch (RuntimeException e) {
      shutdown(client);
      String text = messages(e).toLowerCase(Locale.ROOT);
      if (text.contains("cluster support disabled") || text.contains("cannot retrieve cluster partitions")
          && !text.contains("refused") && !text.contains("auth") && !text.contains("wrongpass")) {
        throw new StoreException("option 'cluster' is true but Redis at " + options.servers() + " is not a Redis Cluster"
            + " node (" + firstLine(e) + "); set cluster to false for a standalone server", e);
      }
      throw connectFailure(options, e);
    }
  }

  /**
   * A connection of its own for one batch of commands, which it queues until {@link Pipeline#flush}
   * and then sends in one write: what makes a batch one round trip (a shared connection would
   * write and flush each command by itself). Give it back with {@link #release} once flushed; the
   * replies may still be awaited afterwards.
   */
  Pipeline borrow() {
    io.lettuce.core.api.StatefulConnection<String, String> connection = pipelines.poll();
    if (connection == null) {
      connection = single != null ? client.connect(StringCodec.UTF8) : clusterClient.connect(StringCodec.UTF8);
      connection.setAutoFlushCommands(false);
      opened.add(connection);
    }
    return new Pipeline(connection);
  }

  void release(Pipeline pipeline) {
    pipelines.add(pipeline.connection);
  }

  /** A borrowed connection: its commands (routed by key slot in a cluster) and its flush. */
  static final class Pipeline {
    private final io.lettuce.core.api.StatefulConnection<String, String> connection;

    private Pipeline(io.lettuce.core.api.StatefulConnection<String, String> connection) {
      this.connection = connection;
    }

    @SuppressWarnings("unchecked")
    RedisClusterAsyncCommands<String, String> commands() {
      return connection instanceof StatefulRedisConnection<?, ?> one
          ? ((StatefulRedisConnection<String, String>) one).async()
          : ((StatefulRedisClusterConnection<String, String>) connection).async();
    }

    void flush() {
      connection.flushCommands();
    }
  }

  /** One command connection per master node: the whole key space, each key once. */
  List<RedisClusterAsyncCommands<String, String>> masters() {
    if (single != null) {
      return List.of(single.async());
    }
    List<RedisClusterAsyncCommands<String, String>> masters = new ArrayList<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.getRole().isUpstream()) {
        masters.add(cluster.async().getConnection(node.getNodeId()));
      }
    }
    return masters;
  }

  RedisOptions options() {
    return options;
  }

  @Override
  public void close() {
    opened.forEach(io.lettuce.core.api.StatefulConnection::close);
    if (single != null) {
      single.close();
      shutdown(client);
    } else {
      cluster.close();
      shutdown(clusterClient);
    }
  }

  private static void shutdown(io.lettuce.core.AbstractRedisClient client) {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  private static StoreException connectFailure(RedisOptions options, RuntimeException e) {
    String text = messages(e);
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("wrongpass") || lower.contains("noauth") || lower.contains("invalid password")
        || lower.contains("invalid username-password")) {
      return new StoreException("Redis at " + options.servers() + " refused the login (" + firstLine(e)
          + "); check the user and password in option 'uri' or the variable of option 'password-env'", e);
    }
    if (e instanceof RedisCommandExecutionException) {
      return new StoreException("Redis at " + options.servers() + " answered with an error (" + firstLine(e)
          + "); check option 'uri'", e);
    }
    String reason = e instanceof RedisConnectionException ? firstLine(e) : e.getClass().getSimpleName() + ": " + firstLine(e);
    return new StoreException("cannot connect to Redis at " + options.servers() + " (" + reason + "); check option 'uri',"
        + " that the server runs and that it is a Redis server", e);
  }

  private static String messages(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      out.append(t.getMessage()).append(" | ");
    }
    return out.toString();
  }

  /** The innermost message of a chain, which names the real cause, on one line. */
  static String firstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().findFirst().orElse("").strip();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
