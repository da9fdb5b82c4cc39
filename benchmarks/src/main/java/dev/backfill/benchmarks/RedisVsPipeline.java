package dev.backfill.benchmarks;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Row;
import dev.backfill.testkit.InMemoryOfflineStore;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12 point 9: {@code keys} keys (one row each) backfilled into Redis through the engine (a
 * reset of a feature set on the in-memory offline store and the {@code redis} online store),
 * beside a plain Lettuce pipeline writing the same rows as the same hashes with no condition
 * (HSET, 1,000 commands per flush, one connection): keys/s of both and their ratio, in one run,
 * and the CPU time each cost the JVM and the server. Each path writes into a namespace of its own,
 * counted and deleted before the other path runs, so that each starts on an empty database;
 * nothing else is touched.
 *
 * <pre>
 * redis-server --port 6390 --save '' --appendonly no &amp;
 * java -Xmx3g -cp benchmarks/target/benchmarks.jar dev.backfill.benchmarks.RedisVsPipeline redis://127.0.0.1:6390 [keys [iterations]]
 * </pre>
 *
 * Defaults: 1,000,000 keys, 3 measured iterations after 1 warm-up; the order of the two paths
 * alternates from one iteration to the next.
 */
public final class RedisVsPipeline {
  /** The target: the engine takes at most this many times the pipeline's time. */
  static final double TARGET_RATIO = 1.5;
  static final int PIPELINE_BATCH = 1_000;
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  private RedisVsPipeline() {}

  /**
   * One path's figures: its wall time, and the CPU time it cost this JVM and the Redis server
   * (from {@code INFO cpu}), which other processes on the machine do not inflate the way they
   * inflate wall time.
   */
  record Outcome(String namespace, long keys, long nanos, double jvmCpuSeconds, double redisCpuSeconds) {
    double keysPerSecond() {
      return keys / (nanos / 1e9);
    }
  }

  /** CPU seconds used so far by this JVM and by the server. */
  private record Cpu(double jvm, double redis) {
    static Cpu now(String uri) {
      double jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8)) {
        double redis = 0;
        for (String line : connection.sync().info("cpu").split("\r?\n")) {
          if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
            redis += Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
          }
        }
        return new Cpu(jvm, redis);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    Outcome outcome(String uri, String namespace, long keys, long nanos) {
      Cpu after = now(uri);
      return new Outcome(namespace, keys, nanos, after.jvm - jvm, after.redis - redis);
    }
  }

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 3) {
      System.out.println("usage: RedisVsPipeline redis://host:port [keys [iterations]]   defaults: 1000000 3 (after 1 warm-up)");
      System.exit(2);
    }
    long keys = args.length > 1 ? Long.parseLong(args[1].replace("_", "")) : 1_000_000;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    System.exit(run(args[0], keys, iterations) ? 0 : 1);
  }

  /** 1 warm-up and {@code iterations} measured iterations; false when the paths wrote different keys. */
  static boolean run(String uri, long keys, int iterations) {
    System.out.printf(Locale.ROOT, "RedisVsPipeline: %,d keys, %s, %d cores, %s%n", keys, uri,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    List<Double> ratios = new ArrayList<>();
    List<Double> engineRates = new ArrayList<>();
    List<Double> pipelineRates = new ArrayList<>();
    List<Double> cpuRatios = new ArrayList<>();
    for (int i = 0; i <= iterations; i++) {
      Outcome engine;
      Outcome pipeline;
      long engineKeys;
      long pipelineKeys;
      // Each path starts on an empty database: a reset lists the online keys with SCAN, whose cost
      // grows with every key of the database, so keys the other path left would be charged to the
      // engine alone.
      if (i % 2 == 0) {
        engine = engine(uri, keys, "bench-engine-" + i);
        engineKeys = countAndDelete(uri, engine.namespace());
        pipeline = pipeline(uri, keys, "bench-pipeline-" + i);
        pipelineKeys = countAndDelete(uri, pipeline.namespace());
      } else {
        pipeline = pipeline(uri, keys, "bench-pipeline-" + i);
        pipelineKeys = countAndDelete(uri, pipeline.namespace());
        engine = engine(uri, keys, "bench-engine-" + i);
        engineKeys = countAndDelete(uri, engine.namespace());
      }
      if (engineKeys != keys || pipelineKeys != keys) {
        System.out.printf(Locale.ROOT, "FAILED: engine wrote %,d keys, pipeline %,d, expected %,d%n", engineKeys, pipelineKeys, keys);
        return false;
      }
      double ratio = (double) engine.nanos() / pipeline.nanos();
      System.out.printf(Locale.ROOT, "%s %d: engine %,.0f keys/s (%.2f s; CPU s: JVM %.1f, Redis %.1f), pipeline %,.0f"
          + " keys/s (%.2f s; CPU s: JVM %.1f, Redis %.1f), ratio %.2f%n",
          i == 0 ? "warm-up" : "iteration", i, engine.keysPerSecond(), engine.nanos() / 1e9, engine.jvmCpuSeconds(),
          engine.redisCpuSeconds(), pipeline.keysPerSecond(), pipeline.nanos() / 1e9, pipeline.jvmCpuSeconds(),
          pipeline.redisCpuSeconds(), ratio);
      if (i > 0) {
        ratios.add(ratio);
        engineRates.add(engine.keysPerSecond());
        pipelineRates.add(pipeline.keysPerSecond());
        cpuRatios.add((engine.jvmCpuSeconds() + engine.redisCpuSeconds())
            / (pipeline.jvmCpuSeconds() + pipeline.redisCpuSeconds()));
      }
    }
    System.out.printf(Locale.ROOT, "median: engine %,.0f keys/s, pipeline %,.0f keys/s, ratio engine time / pipeline time"
        + " %.2f (target <= %.1f); CPU (JVM + Redis) engine / pipeline %.2f%n", median(engineRates), median(pipelineRates),
        median(ratios), TARGET_RATIO, median(cpuRatios));
    return true;
  }

  /** The engine: a reset of the feature set, online rows through the {@code redis} store's conditional scripts. */
  static Outcome engine(String uri, long keys, String namespace) {
    GeneratedSource source = GeneratedSource.of(keys, keys, START, Duration.ofDays(30));
    FeatureSet featureSet = FeatureSet.builder(GeneratedSource.FEATURE_SET).key("user_id", dev.backfill.api.FieldType.LONG)
        .eventTime("ts").feature("clicks", dev.backfill.api.FieldType.LONG).feature("spend", dev.backfill.api.FieldType.DOUBLE)
        .feature("score", dev.backfill.api.FieldType.DOUBLE).source(source).backfillStart(START).build();
    try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
        .onlineStore("redis", Map.of("uri", uri, "namespace", namespace)).build()) {
      client.register(featureSet);
      Cpu cpu = Cpu.now(uri);
      long begin = System.nanoTime();
      BackfillResult result = client.backfill(GeneratedSource.FEATURE_SET).reset().run();
      long nanos = System.nanoTime() - begin;
      if (result.onlineKeysWritten() != keys) {
        throw new IllegalStateException("the engine wrote " + result.onlineKeysWritten() + " online keys, not " + keys);
      }
      return cpu.outcome(uri, namespace, keys, nanos);
    }
  }

  /** The baseline: the same rows, generated the same way, written as the same hashes with HSET, pipelined. */
  static Outcome pipeline(String uri, long keys, String namespace) {
    GeneratedSource source = GeneratedSource.of(keys, keys, START, Duration.ofDays(30));
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8)) {
      RedisAsyncCommands<String, String> commands = connection.async();
      connection.setAutoFlushCommands(false);
      Cpu cpu = Cpu.now(uri);
      long begin = System.nanoTime();
      List<RedisFuture<Long>> batch = new ArrayList<>(PIPELINE_BATCH);
      for (long i = 0; i < keys; i++) {
        Row row = source.row(i);
        batch.add(commands.hset(key(namespace, row), fields(row)));
        if (batch.size() == PIPELINE_BATCH || i == keys - 1) {
          connection.flushCommands();
          if (!LettuceFutures.awaitAll(1, TimeUnit.MINUTES, batch.toArray(new RedisFuture[0]))) {
            throw new IllegalStateException("the pipeline timed out");
          }
          batch.clear();
        }
      }
      long nanos = System.nanoTime() - begin;
      return cpu.outcome(uri, namespace, keys, nanos);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** The row's key in the documented layout: {@code <namespace>:<feature set>:{<user_id>}}. */
  static String key(String namespace, Row row) {
    return namespace + ":" + GeneratedSource.FEATURE_SET + ":{" + row.getLong("user_id") + "}";
  }

  /** The row's fields in the documented layout: event time in epoch microseconds, features as text. */
  static Map<String, String> fields(Row row) {
    Instant ts = row.getInstant("ts");
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("@event_time", Long.toString(ts.getEpochSecond() * 1_000_000L + ts.getNano() / 1_000));
    fields.put("clicks", Long.toString(row.getLong("clicks")));
    fields.put("spend", Double.toString(row.getDouble("spend")));
    fields.put("score", Double.toString(row.getDouble("score")));
    return fields;
  }

  /** How many row keys a path wrote under its namespace; then deletes every key of the namespace. */
  private static long countAndDelete(String uri, String namespace) {
    long written = count(uri, namespace + ":*:{*");
    delete(uri, namespace + ":*");
    return written;
  }

  /** How many keys match the pattern (SCAN). */
  static long count(String uri, String pattern) {
    long[] count = {0};
    scan(uri, pattern, (commands, keys) -> count[0] += keys.size());
    return count[0];
  }

  static void delete(String uri, String pattern) {
    scan(uri, pattern, (commands, keys) -> {
      if (!keys.isEmpty()) {
        commands.unlink(keys.toArray(String[]::new));
      }
    });
  }

  private static void scan(String uri, String pattern,
      java.util.function.BiConsumer<io.lettuce.core.api.sync.RedisCommands<String, String>, List<String>> page) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8)) {
      var commands = connection.sync();
      ScanArgs args = ScanArgs.Builder.matches(pattern).limit(10_000);
      KeyScanCursor<String> cursor = commands.scan(args);
      while (true) {
        page.accept(commands, cursor.getKeys());
        if (cursor.isFinished()) {
          break;
        }
        cursor = commands.scan(ScanCursor.of(cursor.getCursor()), args);
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
