package dev.backfill.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-master Redis Cluster of a test: three {@link RedisServer}s with
 * {@code --cluster-enabled yes}, joined by {@code redis-cli --cluster create}, on free ports.
 */
final class RedisCluster implements AutoCloseable {
  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  static RedisCluster start() {
    List<RedisServer> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000"));
    }
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    nodes.forEach(n -> command.add("127.0.0.1:" + n.port()));
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    try {
      Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(create.getInputStream().readAllBytes());
      if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-cli (" + e.getMessage() + "); install Debian's redis-server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    RedisCluster cluster = new RedisCluster(nodes);
    cluster.awaitState("ok");
    return cluster;
  }

  List<RedisServer> nodes() {
    return nodes;
  }

  /** The seed URIs, comma-separated, as option {@code uri} takes them. */
  String uri() {
    return String.join(",", nodes.stream().map(RedisServer::uri).toList());
  }

  /** Waits until every running node reports {@code cluster_state:<state>}. */
  void awaitState(String state) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      boolean all = true;
      for (RedisServer node : nodes) {
        try {
          String info = clusterInfo(node);
          all &= info.contains("cluster_state:" + state);
        } catch (RuntimeException e) {
          // a stopped node does not count
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not reach cluster_state:" + state);
      }
      RedisServer.sleep(100);
    }
  }

  private static String clusterInfo(RedisServer node) {
    return (String) node.command("CLUSTER", "INFO");
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
