package dev.backfill.testkit;

import static dev.backfill.testkit.EngineFixture.NAME;
import static dev.backfill.testkit.EngineFixture.day;
import static dev.backfill.testkit.EngineFixture.hourly;
import static dev.backfill.testkit.EngineFixture.schema;
import static dev.backfill.testkit.EngineFixture.trip;
import static dev.backfill.testkit.EngineFixture.trips;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.Transform;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Issue 17 point 14: a transform that is not thread-safe gives the same rows on every run when it says so. */
class SingleThreadedTransformTest {

  /**
   * Numbers the rows it sees with a plain counter: shared, unsynchronised state, so its output
   * depends on the order in which threads reach it. Records the threads that apply it.
   */
  private static final class Numbering implements Transform {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    private long next;

    @Override
    public Schema outputSchema(Schema input) {
      return input;
    }

    @Override
    public Stream<Row> apply(Stream<Row> input) {
      threads.add(Thread.currentThread().getName());
      return input.map(row -> {
        threads.add(Thread.currentThread().getName());
        return trip(row.getString("driver"), row.getInstant("ts"), next++);
      });
    }
  }

  @Test
  void aTransformFlaggedSingleThreadedRunsOnOneWorkerInTimeOrderAndGivesTheSameRowsOnEveryRun() {
    List<Row> expected = new ArrayList<>();
    for (int h = 0; h < 10 * 24; h++) {
      expected.add(trip(String.valueOf((char) ('a' + h % 3)), day(0).plus(Duration.ofHours(h)), h));
    }
    try (BackfillClient client = EngineFixture.client(Clock.fixed(day(12), ZoneOffset.UTC))) {
      client.register(trips().toBuilder().source(hourly()).clusterTemplate(ClusterTemplate.XLARGE).build());
      for (int run = 0; run < 3; run++) {
        Numbering numbering = new Numbering();
        BackfillResult result = client.backfill(NAME).reset().between(day(0), day(10))
            .transform(Transform.singleThreaded(numbering)).run();

        assertThat(client.jobs(NAME).get(0).plan().slices()).as("many slices to share out").hasSizeGreaterThan(4);
        assertThat(numbering.threads).as("one worker ran every slice").hasSize(1);
        assertThat(result.rowsWritten()).isEqualTo(expected.size());
        try (Stream<Row> rows = client.readOffline(NAME, TimeRange.all())) {
          assertThat(rows.toList()).as("run %d: numbered in time order", run).containsExactlyInAnyOrderElementsOf(expected);
        }
      }
    }
    assertThat(schema().names()).containsExactly("driver", "ts", "rides");
  }
}
