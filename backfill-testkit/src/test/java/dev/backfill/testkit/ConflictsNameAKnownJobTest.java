package dev.backfill.testkit;

import static dev.backfill.testkit.EngineFixture.NAME;
import static dev.backfill.testkit.EngineFixture.day;
import static dev.backfill.testkit.EngineFixture.hourly;
import static dev.backfill.testkit.EngineFixture.trips;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillJob;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 17 point 9: the job a conflict names is always found by {@code client.job(id)}. */
class ConflictsNameAKnownJobTest {
  private static final int SUBMITTERS = 8;
  private static final int SUBMISSIONS_EACH = 150;

  @Test
  void manyConcurrentSubmittersOnlyEverMeetConflictsNamingAJobTheClientKnows() throws Exception {
    AtomicLong conflicts = new AtomicLong();
    AtomicLong ran = new AtomicLong();
    ConcurrentLinkedQueue<String> unknown = new ConcurrentLinkedQueue<>();
    ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
    try (BackfillClient client = EngineFixture.client(Clock.fixed(day(12), ZoneOffset.UTC))) {
      client.register(trips().toBuilder().source(hourly()).build());
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < SUBMITTERS; t++) {
        int thread = t;
        done.add(submitters.submit(() -> {
          for (int i = 0; i < SUBMISSIONS_EACH; i++) {
            try {
              // Resets by half the threads, one day by the others: every pair overlaps somewhere.
              BackfillJob job = thread % 2 == 0 ? client.backfill(NAME).reset().between(day(0), day(2)).submit()
                  : client.backfill(NAME).between(day(1), day(2)).submit();
              ran.incrementAndGet();
              job.await();
            } catch (BackfillConflictException e) {
              conflicts.incrementAndGet();
              if (client.job(e.runningJobId()).isEmpty()) {
                unknown.add(e.runningJobId());
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(2, TimeUnit.MINUTES);
      }
    } finally {
      submitters.shutdownNow();
    }

    assertThat(unknown).as("conflicts naming a job client.job(id) did not know").isEmpty();
    assertThat(conflicts.get()).as("the submitters did meet conflicts").isPositive();
    assertThat(ran.get() + conflicts.get()).isEqualTo((long) SUBMITTERS * SUBMISSIONS_EACH);
  }
}
