package dev.backfill.benchmarks;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOfflineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What a job history costs a backfill: the same small backfill run one after another with the
 * in-memory history (the baseline: no history I/O), the {@code file} history (a JSON file
 * forced to disk per transition) and the shared {@code jdbc} history on PostgreSQL (a
 * transaction with the conflict check at submission, an update per transition). The backfill
 * is small (a day of 1,000 rows, in-memory stores) so that the history's share shows.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.backfill.benchmarks.JobHistoryBenchmark [JOBS] [JDBC_URL]</pre>
 */
public final class JobHistoryBenchmark {
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");

  private JobHistoryBenchmark() {}

  /** The median milliseconds a job took, by history type, in the order measured. */
  record Figures(Map<String, Double> medianMillis, long jobsSucceeded) {}

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    String url = args.length > 1 ? args[1] : DEFAULT_URL;
    Figures figures = run(jobs, url);
    double baseline = figures.medianMillis().get("memory");
    System.out.printf(Locale.ROOT, "%d jobs per history, median per job:%n", jobs);
    figures.medianMillis().forEach((type, millis) -> System.out.printf(Locale.ROOT,
        "  %-7s %8.2f ms  ratio to memory %5.2f%n", type, millis, millis / baseline));
  }

  static Figures run(int jobs, String url) throws IOException, SQLException {
    Map<String, Double> medians = new LinkedHashMap<>();
    long succeeded = 0;
    Path directory = Files.createTempDirectory("backfill-history-bench");
    String schema = "bench_history_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      Map<String, Map<String, String>> histories = new LinkedHashMap<>();
      histories.put("memory", Map.of());
      histories.put("file", Map.of("path", directory.toString()));
      histories.put("jdbc", Map.of("url", url, "user", "postgres", "schema", schema));
      for (Map.Entry<String, Map<String, String>> history : histories.entrySet()) {
        double[] millis = new double[jobs];
        try (BackfillClient client = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
            .onlineStore(InMemoryOnlineStore.create()).jobHistory(history.getKey(), history.getValue()).build()) {
          client.register(featureSet());
          for (int warmup = 0; warmup < Math.min(jobs, 20); warmup++) {
            backfill(client);
          }
          for (int i = 0; i < jobs; i++) {
            long start = System.nanoTime();
            BackfillResult result = backfill(client);
            millis[i] = (System.nanoTime() - start) / 1e6;
            succeeded += result.rowsWritten() == 1_000 ? 1 : 0;
          }
        }
        Arrays.sort(millis);
        medians.put(history.getKey(), millis[jobs / 2]);
      }
    } finally {
      deleteTree(directory);
      try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      }
    }
    return new Figures(medians, succeeded);
  }

  private static BackfillResult backfill(BackfillClient client) {
    return client.backfill("bench").between(DAY0, DAY0.plus(1, ChronoUnit.DAYS)).run();
  }

  private static FeatureSet featureSet() {
    FeatureSet fs = FeatureSet.builder("bench").key("id", FieldType.LONG).eventTime("ts")
        .feature("value", FieldType.LONG).backfillStart(DAY0).build();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      rows.add(Row.of(fs.schema(), (long) (i % 100), DAY0.plusSeconds(i * 60L), (long) i));
    }
    return fs.toBuilder().source(InMemoryDataSource.of(fs.schema(), "ts", rows)).build();
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
