package dev.backfill.iceberg;

import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.TableSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The child JVM of {@link IcebergTwoProcessesTest}: opens the Iceberg store of a PostgreSQL
 * catalog, stages a replacement of {@code [day args[3], day args[4])} with rows of version
 * {@code args[5]}, prints {@code STAGED}, commits when its standard input says {@code commit},
 * and prints {@code COMMITTED} or {@code CONFLICT <message>}.
 */
public final class IcebergSharedChild {
  static final Instant DAY0 = Instant.parse("2024-06-01T00:00:00Z");
  static final TableSpec SPEC = FeatureSet.builder("shared").key("sensor", FieldType.STRING).eventTime("ts")
      .feature("version", FieldType.LONG).backfillStart(DAY0).build().table();
  static final int SENSORS = 20;

  private IcebergSharedChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Map.of("catalog", "jdbc", "uri", args[0], "namespace", args[1], "warehouse", args[2]);
    TimeRange range = days(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    long version = Long.parseLong(args[5]);
    IcebergOfflineStore store = IcebergOfflineStore.open(IcebergOptions.parse(options));
    OfflineReplacement replacement = store.beginReplace(SPEC.name(), Optional.of(range), "child-" + version);
    replacement.write(rows(range, version));
    System.out.println("STAGED");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (!"commit".equals(in.readLine())) {
      System.exit(2);
    }
    try {
      replacement.commit();
      System.out.println("COMMITTED");
    } catch (StoreException e) {
      System.out.println("CONFLICT " + e.getMessage());
    } finally {
      replacement.close();
      store.close();
    }
  }

  static TimeRange days(int from, int to) {
    return TimeRange.of(DAY0.plus(Duration.ofDays(from)), DAY0.plus(Duration.ofDays(to)));
  }

  /** One row per sensor every two hours of the range. */
  static List<Row> rows(TimeRange range, long version) {
    List<Row> rows = new ArrayList<>();
    for (Instant t = range.start(); t.isBefore(range.stop()); t = t.plus(Duration.ofHours(2))) {
      for (int s = 0; s < SENSORS; s++) {
        rows.add(Row.of(SPEC.schema(), "s" + s, t, version));
      }
    }
    return rows;
  }
}
