package dev.backfill.history.jdbc;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.Transform;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOfflineStore;
import dev.backfill.testkit.InMemoryOnlineStore;
import dev.backfill.testkit.ReconciliationGate;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A process of {@link SharedHistoryProcessesTest}: a client with in-memory stores of its own and
 * the shared {@code jdbc} job history, driven by its arguments, saying what happens on standard
 * output (its engine's log lines go to standard error, which the test reads too).
 *
 * <pre>
 * MODE SCHEMA LEASE [START_DAY STOP_DAY]
 *   blocked      submits a backfill whose transform waits until the job is cancelled
 *   slow         submits a backfill whose transform takes 100 ms a row
 *   hold-online  submits a backfill held after its offline commit, before its online update
 *   take-over    builds a client (taking over expired jobs), stays three leases, closes
 * </pre>
 */
public final class HistoryChild {
  private HistoryChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Map<String, String> options = Map.of("url", PostgresSchema.URL, "user", PostgresSchema.USER, "schema", args[1],
        "lease", args[2]);
    System.out.println("PID " + ProcessHandle.current().pid());
    FeatureSet clicks = clicks(mode);
    InMemoryOfflineStore memory = InMemoryOfflineStore.create();
    ReconciliationGate gate = new ReconciliationGate(memory, 600);
    OfflineStore offline = mode.equals("hold-online") ? gate : memory;
    // The feature set's tables exist before the client is built, as in stores that outlive processes.
    memory.createTable(clicks.table());
    try (BackfillClient client = BackfillClient.builder().offlineStore(offline).onlineStore(InMemoryOnlineStore.create())
        .jobHistory("jdbc", options).build()) {
      client.register(clicks);
      if (mode.equals("take-over")) {
        Thread.sleep(Duration.parse(args[2]).multipliedBy(3).toMillis());
        System.out.println("DONE");
        return;
      }
      ChildSubmission.run(client, Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          mode.equals("hold-online") ? gate : null);
    }
  }

  private static FeatureSet clicks(String mode) {
    FeatureSet fs = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
        .feature("n", FieldType.LONG).backfillStart(ChildSubmission.DAY0).build();
    List<Row> rows = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      for (int h = 0; h < 24; h += 6) {
        rows.add(Row.of(fs.schema(), "u" + (d % 3), ChildSubmission.day(d).plus(h, ChronoUnit.HOURS), (long) d));
      }
    }
    long pause = switch (mode) {
      case "blocked" -> Long.MAX_VALUE;
      case "slow" -> 100;
      default -> 0;
    };
    Transform transform = Transform.map(fs.schema(), row -> {
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted: the job was cancelled", e);
      }
      return row;
    });
    return fs.toBuilder().source(InMemoryDataSource.of(fs.schema(), "ts", rows)).transform(transform).build();
  }
}
