package dev.backfill.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.benchmarks.BackfillWorkload.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs both paths of the benchmark on a small size and checks that they wrote the same thing:
 * the benchmark's ratio means something only if the baseline does the same work. No timing.
 */
class EngineVsBaselineSmokeTest {
  private static final long ROWS = 20_000;
  private static final long KEYS = 500;
  private static final String TABLE = GeneratedSource.FEATURE_SET;

  @Test
  void engineAndBaselineWriteTheSameRows() {
    BackfillWorkload workload = BackfillWorkload.create(ROWS, KEYS);
    Outcome engine = workload.runEngine();
    Outcome baseline = workload.runBaseline();

    assertThat(engine.offlineRows()).isEqualTo(ROWS);
    assertThat(baseline.offlineRows()).isEqualTo(ROWS);
    assertThat(engine.offline().rowCount(TABLE)).isEqualTo(ROWS);
    assertThat(baseline.offline().rowCount(TABLE)).isEqualTo(ROWS);
    assertThat(offlineRows(engine)).isEqualTo(offlineRows(baseline));

    assertThat(engine.onlineKeys()).isEqualTo(KEYS);
    assertThat(baseline.onlineKeys()).isEqualTo(KEYS);
    Map<EntityKey, Row> online = onlineRows(engine);
    assertThat(online).hasSize((int) KEYS).isEqualTo(onlineRows(baseline));
    // The last row of key k is the last index i with i % KEYS == k.
    GeneratedSource source = workload.source();
    for (long k = 0; k < KEYS; k++) {
      assertThat(online.get(EntityKey.of(k))).isEqualTo(source.row(ROWS - KEYS + k));
    }
    assertThat(EngineVsBaseline.check(engine, ROWS, KEYS)).isNull();
    assertThat(EngineVsBaseline.check(baseline, ROWS, KEYS)).isNull();
  }

  @Test
  void theSourceSchemaIsEqualToTheFeatureSetsButAnotherInstance() {
    BackfillWorkload workload = BackfillWorkload.create(10, 2);
    assertThat(workload.source().schema()).isEqualTo(workload.featureSet().schema())
        .isNotSameAs(workload.featureSet().schema());
  }

  @Test
  void theSourceReadsEachRowOnceHoweverTheRangeIsSplit() {
    GeneratedSource source = BackfillWorkload.create(1_000, 7).source();
    TimeRange all = source.range();
    Instant cut = all.start().plus(Duration.ofDays(17)).plusNanos(123_456);
    List<Row> whole = source.read(all).toList();
    List<Row> split = Stream.concat(source.read(TimeRange.of(all.start(), cut)), source.read(TimeRange.of(cut, all.stop())))
        .toList();
    assertThat(whole).hasSize(1_000).isEqualTo(split);
    assertThat(whole).allSatisfy(row -> assertThat(all.contains(row.getInstant("ts"))).isTrue());
    assertThat(source.read(TimeRange.of(all.start().minusSeconds(60), all.start()))).isEmpty();
    assertThat(source.read(TimeRange.of(all.stop(), all.stop().plusSeconds(60)))).isEmpty();
  }

  private static Map<Row, Long> offlineRows(Outcome outcome) {
    try (Stream<Row> rows = outcome.offline().scan(TABLE, TimeRange.all())) {
      return rows.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
  }

  private static Map<EntityKey, Row> onlineRows(Outcome outcome) {
    Map<EntityKey, Row> rows = new HashMap<>();
    try (Stream<EntityKey> keys = outcome.online().keys(TABLE)) {
      keys.forEach(key -> rows.put(key, outcome.online().get(TABLE, key).orElseThrow()));
    }
    return rows;
  }
}
