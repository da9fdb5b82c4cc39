package dev.backfill.history.jdbc;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Plugins;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.ReconciliationGate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A process of {@link SharedStoresProcessesTest}: a client on the shared {@code jdbc} job history
 * AND shared stores (an {@code iceberg} offline store on a JDBC catalog in PostgreSQL, a
 * {@code redis} online store), driven by its arguments, saying what happens on standard output.
 *
 * <pre>
 * MODE SCHEMA LEASE ICEBERG_URI ICEBERG_NAMESPACE WAREHOUSE REDIS_URI REDIS_NAMESPACE [START_DAY STOP_DAY VERSION]
 *   gated        submits a backfill whose transform waits for a line "go" on standard input
 *   run          submits a backfill and waits for its end
 *   hold-online  submits a backfill held after its offline commit, before its online update
 *   take-over    builds a client (taking over expired jobs), stays three leases, closes
 * </pre>
 *
 * Rows of version {@code v} have {@code n = 100 * v + day}, so every store value says which
 * backfill wrote it.
 */
public final class SharedStoresChild {
  static final FeatureSet CLICKS = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
      .feature("n", FieldType.LONG).backfillStart(ChildSubmission.DAY0).build();

  private SharedStoresChild() {}

  static Map<String, String> icebergOptions(String uri, String namespace, String warehouse) {
    return Map.of("catalog", "jdbc", "uri", uri, "namespace", namespace, "warehouse", warehouse);
  }

  static Map<String, String> redisOptions(String uri, String namespace) {
    return Map.of("uri", uri, "namespace", namespace);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Map<String, String> history = Map.of("url", PostgresSchema.URL, "user", PostgresSchema.USER, "schema", args[1],
        "lease", args[2]);
    System.out.println("PID " + ProcessHandle.current().pid());
    CountDownLatch go = new CountDownLatch(1);
    if (mode.equals("gated")) {
      Thread reader = new Thread(() -> {
        try {
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("go")) {
              go.countDown();
            }
          }
        } catch (IOException ignored) {
          // the test ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }
    long version = args.length > 10 ? Long.parseLong(args[10]) : 0;
    FeatureSet clicks = clicks(mode, version, go);
    OfflineStore iceberg = Plugins.offlineStore("iceberg", icebergOptions(args[3], args[4], args[5]));
    OnlineStore redis = Plugins.onlineStore("redis", redisOptions(args[6], args[7]));
    ReconciliationGate gate = new ReconciliationGate(iceberg, 600);
    OfflineStore offline = mode.equals("hold-online") ? gate : iceberg;
    try (BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(redis)
        .jobHistory("jdbc", history).build()) {
      client.register(clicks);
      if (mode.equals("take-over")) {
        Thread.sleep(Duration.parse(args[2]).multipliedBy(3).toMillis());
        System.out.println("DONE");
        return;
      }
      ChildSubmission.run(client, Integer.parseInt(args[8]), Integer.parseInt(args[9]),
          mode.equals("hold-online") ? gate : null);
    } finally {
      iceberg.close();
      redis.close();
    }
  }

  /** The source's rows of a version: four a day for ten days, over three users. */
  static List<Row> rows(long version) {
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      for (int h = 0; h < 24; h += 6) {
        rows.add(Row.of(CLICKS.schema(), "u" + (d % 3), ChildSubmission.day(d).plus(h, ChronoUnit.HOURS), 100 * version + d));
      }
    }
    return rows;
  }

  private static FeatureSet clicks(String mode, long version, CountDownLatch go) {
    Transform transform = Transform.map(CLICKS.schema(), row -> {
      if (mode.equals("gated")) {
        try {
          if (!go.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no 'go' within 120 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted: the job was cancelled", e);
        }
      }
      return row;
    });
    return CLICKS.toBuilder().source(InMemoryDataSource.of(CLICKS.schema(), "ts", rows(version))).transform(transform)
        .build();
  }
}
