package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A seeded, randomized sequence of ingests, interval backfills, resets and empty backfills of
 * one feature set, applied to a client and to a {@link ReplacementOracle} side by side, with
 * both stores compared against the oracle after every step. Keys are few and event times
 * coarse on purpose, so that duplicates, ties, corrections to older times and removed keys are
 * frequent. A failure message names the seed and step, which replay it exactly.
 */
public final class RandomWorkload {
  /** The clock the client under test must use: after every generated time. */
  public static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
  static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
  private static final int DAYS = 12;

  private final long seed;
  private final Random random;
  private final FeatureSet featureSet;
  private final ReplacementOracle oracle;
  private final List<EntityKey> keys = new ArrayList<>();
  private int step;

  private RandomWorkload(long seed, String name) {
    this.seed = seed;
    this.random = new Random(seed);
    this.featureSet = FeatureSet.builder(name)
        .key("user", FieldType.STRING).key("region", FieldType.LONG)
        .eventTime("ts")
        .feature("score", FieldType.DOUBLE).feature("count", FieldType.LONG).feature("flag", FieldType.BOOLEAN)
        .backfillStart(BASE)
        .build();
    this.oracle = new ReplacementOracle(featureSet);
    for (int i = 0; i < 12; i++) {
      keys.add(EntityKey.of("u" + (i % 6), (long) (i / 6)));
    }
  }

  /** A workload for a feature set of this name, reproducible from the seed. */
  public static RandomWorkload of(long seed, String featureSetName) {
    return new RandomWorkload(seed, Objects.requireNonNull(featureSetName, "featureSetName"));
  }

  public FeatureSet featureSet() {
    return featureSet;
  }

  /**
   * Registers the feature set and runs the steps, checking both stores after each.
   *
   * @throws AssertionError naming the seed and step at the first difference from the oracle
   */
  public void run(BackfillClient client, int steps) {
    client.register(featureSet);
    for (int i = 0; i < steps; i++) {
      step = i;
      int kind = random.nextInt(10);
      String done;
      if (kind < 4) {
        done = ingest(client);
      } else if (kind < 8) {
        done = backfill(client, false, randomRows(random.nextInt(40)));
      } else if (kind < 9) {
        done = backfill(client, true, randomRows(random.nextInt(40)));
      } else {
        done = backfill(client, false, List.of());
      }
      check(client, done);
    }
  }

  private String ingest(BackfillClient client) {
    List<Row> rows = randomRows(1 + random.nextInt(15));
    client.ingest(featureSet.name(), rows);
    oracle.ingest(rows);
    return "ingest of " + rows.size() + " rows";
  }

  private String backfill(BackfillClient client, boolean reset, List<Row> sourceRows) {
    TimeRange range = randomRange();
    boolean superset = random.nextBoolean();
    TransformChoice choice = TransformChoice.values()[random.nextInt(TransformChoice.values().length)];
    Transform transform = choice.transform(featureSet.schema());
    List<Row> read = superset ? sourceRows
        : sourceRows.stream().filter(r -> range.contains(featureSet.eventTimeOf(r))).toList();
    List<Row> output = transform.apply(read.stream()).toList();
    BackfillRequest request = client.backfill(featureSet.name()).between(range.start(), range.stop())
        .source(new ListSource(featureSet, sourceRows, superset)).transform(transform)
        .comment("step " + step);
    if (reset) {
      request.reset();
    }
    long deletedExpected = reset ? oracle.offline().size() : oracle.offline(range).size();
    BackfillResult result = request.run();
    long dropped = oracle.backfill(range, reset, output);
    String what = (reset ? "reset " : "backfill ") + range + " with " + sourceRows.size() + " source rows ("
        + (superset ? "superset source" : "exact source") + ", " + choice + ")";
    assertThat(result.rowsDroppedOutOfRange()).as(context(what) + ": rows dropped out of range").isEqualTo(dropped);
    assertThat(result.rowsWritten()).as(context(what) + ": rows written").isEqualTo(output.size() - dropped);
    assertThat(result.offlineRowsDeleted()).as(context(what) + ": offline rows deleted").isEqualTo(deletedExpected);
    return what;
  }

  private void check(BackfillClient client, String done) {
    List<Row> offline;
    try (Stream<Row> scan = client.readOffline(featureSet.name(), TimeRange.all())) {
      offline = oracle.canonical(scan.toList());
    }
    assertThat(offline).as(context(done) + ": offline store").containsExactlyElementsOf(oracle.offline());
    Map<EntityKey, Row> expected = oracle.online();
    for (EntityKey key : keys) {
      assertThat(client.readOnline(featureSet.name(), key)).as(context(done) + ": online row of key " + key)
          .isEqualTo(java.util.Optional.ofNullable(expected.get(key)));
    }
  }

  private String context(String done) {
    return "seed " + seed + ", step " + step + " (" + done + ")";
  }

  private TimeRange randomRange() {
    int startHour = random.nextInt(DAYS * 24 - 1);
    int length = 1 + random.nextInt(Math.min(DAYS * 24 - startHour, 24 * 5));
    return TimeRange.of(BASE.plus(Duration.ofHours(startHour)), BASE.plus(Duration.ofHours(startHour + length)));
  }

  private List<Row> randomRows(int count) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      EntityKey key = keys.get(random.nextInt(keys.size()));
      // Six-hour steps make equal event times (ties and duplicates) common.
      Instant ts = BASE.plus(Duration.ofHours(6L * random.nextInt(DAYS * 4)));
      Double score = random.nextInt(5) == 0 ? null : (double) random.nextInt(4);
      Long count2 = random.nextInt(5) == 0 ? null : (long) random.nextInt(3);
      Boolean flag = random.nextInt(5) == 0 ? null : random.nextBoolean();
      Row row = Row.of(featureSet.schema(), key.parts().get(0), key.parts().get(1), ts, score, count2, flag);
      rows.add(row);
      if (random.nextInt(8) == 0) {
        rows.add(row);
      }
    }
    return rows;
  }

  /** Row-wise transforms, so that slicing cannot change their output. */
  private enum TransformChoice {
    IDENTITY, DOUBLE_SCORE, DROP_FLAGGED;

    Transform transform(Schema schema) {
      return switch (this) {
        case IDENTITY -> Transform.identity();
        case DOUBLE_SCORE -> Transform.map(schema, r -> Row.of(schema, r.get(0), r.get(1), r.get(2),
            r.getDouble("score") == null ? null : r.getDouble("score") * 2, r.get(4), r.get(5)));
        case DROP_FLAGGED -> Transform.filter(r -> !Boolean.TRUE.equals(r.getBoolean("flag")));
      };
    }
  }

  /** A source over fixed rows; a superset source ignores the range, as the SPI allows. */
  private record ListSource(FeatureSet featureSet, List<Row> rows, boolean superset) implements DataSource {
    @Override
    public Schema schema() {
      return featureSet.schema();
    }

    @Override
    public Stream<Row> read(TimeRange range) {
      return superset ? rows.stream() : rows.stream().filter(r -> range.contains(featureSet.eventTimeOf(r)));
    }
  }
}
