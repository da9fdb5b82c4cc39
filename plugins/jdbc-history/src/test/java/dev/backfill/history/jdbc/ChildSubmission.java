package dev.backfill.history.jdbc;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillJob;
import dev.backfill.testkit.ReconciliationGate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a child of the process tests says on standard output about the backfill it submits, the
 * lines the tests wait for: {@code CONFLICT message}, or {@code SUBMITTED id}, then
 * {@code COMMITTED id} when held at the gate after its offline commit, then {@code ENDED status}.
 */
final class ChildSubmission {
  static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");

  private ChildSubmission() {}

  static Instant day(int n) {
    return DAY0.plus(n, ChronoUnit.DAYS);
  }

  /**
   * Submits a backfill of {@code clicks} over days {@code [startDay, stopDay)} and reports it
   * until it ends.
   *
   * @param heldAt the gate the client's offline store passes through when the job is to be held
   *     after its offline commit, or null
   */
  static void run(BackfillClient client, int startDay, int stopDay, ReconciliationGate heldAt) throws InterruptedException {
    BackfillJob job;
    try {
      job = client.backfill("clicks").between(day(startDay), day(stopDay)).submit();
    } catch (BackfillConflictException e) {
      System.out.println("CONFLICT " + e.getMessage());
      return;
    }
    System.out.println("SUBMITTED " + job.id());
    if (heldAt != null && heldAt.awaitHeld(60)) {
      System.out.println("COMMITTED " + job.id());
    }
    try {
      job.await();
    } catch (BackfillException e) {
      // the status says how it ended
    }
    System.out.println("ENDED " + job.status());
  }
}
