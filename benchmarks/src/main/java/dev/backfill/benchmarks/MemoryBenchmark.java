package dev.backfill.benchmarks;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Target 5 of the embedded default: a large reset through the JVM path (generated rows, so no
 * fast path) into DuckDB + RocksDB with a small heap, against the raw Appender + WriteBatch
 * baseline, each in a child JVM of its own, so that each path's peak heap and peak RSS
 * ({@code VmHWM}) are its own. Both children give DuckDB the same {@code memory_limit} and
 * {@code threads}.
 */
final class MemoryBenchmark {
  private MemoryBenchmark() {}

  static void run(long rows, long keys, String heap, String memoryLimit, String threads) throws Exception {
    System.out.printf("memory: %,d rows, %,d keys, reset through the JVM path; each path in a child JVM with -Xmx%s, "
        + "DuckDB memory-limit %s, threads %s%n", rows, keys, heap, memoryLimit, threads);
    for (String path : List.of("engine", "raw")) {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), EmbeddedBenchmarks.class.getName(), "memory-child", path,
          Long.toString(rows), Long.toString(keys), memoryLimit, threads));
      Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
      String result = null;
      StringBuilder output = new StringBuilder();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("RESULT ")) {
            result = line.substring("RESULT ".length());
          } else if (!line.startsWith("SLF4J")) {
            System.out.println("   [" + path + "] " + line);
            output.append(line).append('\n');
          }
        }
      }
      int exit = child.waitFor();
      if (exit != 0 || result == null) {
        throw new IllegalStateException("the " + path + " child exited with " + exit + " without a result:\n" + output);
      }
      System.out.println(result);
    }
  }

  /** In the child: {@code memory-child PATH ROWS KEYS MEMORY_LIMIT THREADS}. */
  static void child(String[] args) throws Exception {
    String path = args[1];
    long rows = Long.parseLong(args[2]);
    long keys = Long.parseLong(args[3]);
    String memoryLimit = args[4];
    String threads = args[5];
    GeneratedSource source = GeneratedSource.of(rows, keys, EmbeddedBenchmarks.START, Duration.ofDays(50));
    Path dir = EmbeddedBenchmarks.freshDir("memory-" + path);
    EmbeddedBenchmarks.Timed<Long> t;
    if (path.equals("engine")) {
      t = EmbeddedBenchmarks.time(() -> {
        try (BackfillClient client = EmbeddedBenchmarks.client(dir,
            Map.of("fast-path", "false", "memory-limit", memoryLimit, "threads", threads))) {
          client.register(EmbeddedBenchmarks.featureSet(source));
          BackfillResult result = client.backfill(GeneratedSource.FEATURE_SET).reset()
              .between(source.range().start(), source.range().stop()).run();
          if (result.rowsWritten() != rows || result.onlineKeysWritten() != Math.min(rows, keys)) {
            throw new IllegalStateException("the engine wrote " + result.rowsWritten() + " rows and "
                + result.onlineKeysWritten() + " online keys");
          }
          return result.onlineKeysWritten();
        }
      });
    } else {
      Properties settings = new Properties();
      settings.setProperty("memory_limit", memoryLimit);
      settings.setProperty("threads", threads);
      t = EmbeddedBenchmarks.time(() -> EmbeddedBenchmarks.rawWrites(source, dir, settings));
    }
    System.out.printf("RESULT %-8s %,d rows, %,d online keys in %8.1f s (%,.0f rows/s): peak heap %,d MiB (pools %,d MiB), "
        + "peak RSS %,d MiB, GC %,d ms%n", path, rows, t.value(), t.seconds(), rows / t.seconds(), t.heap().sampledPeakMiB(),
        t.heap().poolPeakSumMiB(), EmbeddedBenchmarks.peakRssMiB(), t.heap().gcMillis());
  }
}
