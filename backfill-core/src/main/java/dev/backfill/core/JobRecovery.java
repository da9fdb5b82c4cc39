package dev.backfill.core;

import dev.backfill.api.BackfillStatus;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.TableSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes what a stopped process left: a job recorded as running whose offline commit did not
 * happen is marked FAILED (nothing changed); a job whose offline commit happened (as the record
 * or the store's commit ids tell) has its online store reconciled and is marked SUCCEEDED.
 *
 * <p>Which keys the lost process had reconciled is unknown, so recovery reconciles every key
 * with an offline row in the job's range and every online key (all keys for a reset): work in
 * proportion to the keys of the range and of the feature set (listed, not read row by row),
 * paid only after a crash. The online writes are made durable before the job is recorded
 * SUCCEEDED.
 */
final class JobRecovery {
  private static final Logger log = LoggerFactory.getLogger(JobRecovery.class);
  private final OfflineStore offline;
  private final OnlineStore online;
  private final OnlineReconciler reconciler;
  private final Clock clock;

  JobRecovery(OfflineStore offline, OnlineStore online, OnlineReconciler reconciler, Clock clock) {
    this.offline = offline;
    this.online = online;
    this.reconciler = reconciler;
    this.clock = clock;
  }

  static boolean needsRecovery(JobRecord record) {
    return !record.status().isTerminal() || (record.committed() && !record.reconciled());
  }

  JobRecord recover(JobRecord record) {
    Instant now = clock.instant();
    Optional<TableSpec> table = offline.table(record.featureSet());
    boolean committed = record.committed()
        || (table.isPresent() && offline.isCommitted(record.featureSet(), record.id()));
    if (!committed || table.isEmpty()) {
      log.warn("recovery: backfill {} of {} stopped before its offline commit; marked FAILED, nothing was changed",
          record.id(), record.featureSet());
      return record.withOutcome(BackfillStatus.FAILED, now, Optional.empty(), Optional.of(
          "the process running this job stopped before its offline commit; neither store was changed"), false);
    }
    online.createTable(table.get());
    TimeRange scope = record.reset() ? TimeRange.all() : record.range();
    OnlineReconciler.Outcome outcome = reconciler.reconcileAll(table.get(), scope,
        record.reset() ? Optional.empty() : Optional.of(record.range().stop()));
    JobRecord.Counts before = record.result();
    var result = new dev.backfill.api.BackfillResult(record.id(), record.featureSet(), record.range(), record.reset(),
        record.rowsRead(), before == null ? record.rowsWritten() : before.rowsWritten(),
        before == null ? 0 : before.rowsDroppedOutOfRange(), before == null ? 0 : before.rowsDroppedAsContext(),
        before == null ? 0 : before.offlineRowsDeleted(),
        outcome.keysWritten(), outcome.keysDeleted(),
        java.time.Duration.between(Instant.parse(record.submittedAt()), now));
    log.info("recovery: backfill {} of {} had committed offline; online reconciled ({} keys written, {} deleted), marked SUCCEEDED",
        record.id(), record.featureSet(), outcome.keysWritten(), outcome.keysDeleted());
    return record.withOutcome(BackfillStatus.SUCCEEDED, now, Optional.of(result), Optional.empty(), true);
  }
}
