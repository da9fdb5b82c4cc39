package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ObservedSourceTest {
  private final CorrectedReadings readings = new CorrectedReadings(20, 10, java.time.Duration.ofMinutes(1));
  private final DataSource rows = InMemoryDataSource.of(CorrectedReadings.SCHEMA, "ts", readings.version1());

  @Test
  void countsTheRowsOfEveryReadAndTellsTheEndOfEachAndGivesTheRowsUnchanged() {
    List<Long> counts = new ArrayList<>();
    AtomicInteger closed = new AtomicInteger();
    ObservedSource observed = new ObservedSource(rows, counts::add, closed::incrementAndGet);
    List<Row> first;
    List<Row> second;
    try (Stream<Row> read = observed.read(CorrectedReadings.CORRECTED)) {
      first = read.toList();
    }
    try (Stream<Row> read = observed.read(TimeRange.all())) {
      second = read.toList();
    }

    try (Stream<Row> a = rows.read(CorrectedReadings.CORRECTED); Stream<Row> b = rows.read(TimeRange.all())) {
      assertThat(first).isNotEmpty().isEqualTo(a.toList());
      assertThat(second).isEqualTo(b.toList());
    }
    assertThat(counts).hasSize(first.size() + second.size()).startsWith(1L, 2L).endsWith((long) first.size() + second.size());
    assertThat(closed).hasValue(2);
    assertThat(observed.schema()).isEqualTo(CorrectedReadings.SCHEMA);
  }

  @Test
  void atRowRunsItsActionOnceAtThatRow() {
    AtomicInteger runs = new AtomicInteger();
    List<Integer> seenBefore = new ArrayList<>();
    DataSource observed = ObservedSource.atRow(rows, 3, () -> runs.incrementAndGet());
    try (Stream<Row> read = observed.read(TimeRange.all())) {
      read.forEach(row -> seenBefore.add(runs.get()));
    }

    assertThat(runs).hasValue(1);
    assertThat(seenBefore.subList(0, 3)).as("the action runs before the third row reaches the reader").containsExactly(0, 0, 1);
  }
}
