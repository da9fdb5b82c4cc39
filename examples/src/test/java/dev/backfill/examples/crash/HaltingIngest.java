package dev.backfill.examples.crash;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.testkit.CorrectedReadings;
import dev.backfill.testkit.ForwardingOnlineStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link EmbeddedDefaultCrashTest}'s ingest case: ingests a new reading of the
 * first {@link #SENSORS} sensors into the stores in {@code args[0]}, and halts the JVM with
 * {@link Runtime#halt} at the ingest's online write, after its offline append has committed:
 * the offline store has the rows, the online store never got them, and no job knows.
 */
public final class HaltingIngest {
  static final int SENSORS = 100;

  private HaltingIngest() {}

  /** The rows the child ingests: a reading a day after the scenario's ten days, version 3. */
  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int s = 0; s < SENSORS; s++) {
      rows.add(Row.of(CorrectedReadings.SCHEMA, "s" + s, CorrectedReadings.ALL_DAYS.stop().plus(Duration.ofHours(1)).plusSeconds(s),
          1000.0 + s, 3L));
    }
    return rows;
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    ForwardingOnlineStore halting = new ForwardingOnlineStore(CrashScenario.online(dir)) {
      @Override
      public long write(String table, List<OnlineWrite> writes) {
        Runtime.getRuntime().halt(HaltingBackfill.HALT_STATUS);
        return 0;
      }
    };
    BackfillClient client = CrashScenario.client(dir, halting);
    client.register(CrashScenario.featureSet());
    client.ingest(CorrectedReadings.FEATURE_SET, rows());
    System.err.println("the ingest finished without writing online");
    System.exit(1);
  }
}
