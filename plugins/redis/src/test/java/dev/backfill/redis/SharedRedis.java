package dev.backfill.redis;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The servers the test classes of this module share within one JVM: one standalone server and one
 * three-master cluster, started on first use; every store gets a namespace of its own, so tests
 * never see each other's keys. Tests that stop servers start their own.
 */
final class SharedRedis {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static RedisServer single;
  private static RedisCluster cluster;

  private SharedRedis() {}

  static synchronized RedisServer single() {
    if (single == null) {
      single = RedisServer.start();
    }
    return single;
  }

  static synchronized RedisCluster cluster() {
    if (cluster == null) {
      cluster = RedisCluster.start();
    }
    return cluster;
  }

  /** A namespace no other store of this JVM uses. */
  static String freshNamespace() {
    return "t" + ProcessHandle.current().pid() + "-" + NAMESPACES.incrementAndGet();
  }

  /** Options of a store on the shared standalone server, in a fresh namespace. */
  static Map<String, String> singleOptions() {
    return Map.of("uri", single().uri(), "namespace", freshNamespace());
  }

  /** Options of a store on the shared cluster, in a fresh namespace. */
  static Map<String, String> clusterOptions() {
    return Map.of("uri", cluster().uri(), "cluster", "true", "namespace", freshNamespace());
  }
}
