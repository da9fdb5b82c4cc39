package dev.backfill.spi;

import dev.backfill.api.BackfillStatus;
import dev.backfill.api.TimeRange;
import java.util.Objects;
import java.util.Optional;

/**
 * One job as a {@link JobHistory} keeps it: the few fields a history reasons about (to refuse an
 * overlapping submission, to find a job a client must finish) and the engine's own record of
 * the job, which the history stores and returns unchanged.
 *
 * @param id the job id, unique in the history
 * @param featureSet the feature set the job backfills
 * @param scope the job's time range; empty for a reset, which overlaps every range of its
 *     feature set
 * @param status the job's status when recorded
 * @param committed whether the job's offline commit happened: a job that has committed can no
 *     longer be cancelled
 * @param needsFinishing whether some client must still finish the job: it has not ended, or it
 *     committed offline and its online update did not complete
 * @param document the engine's record of the job (JSON text), opaque to the history
 * @param holder the client that holds the job now, as {@code host H, process P}, while it holds
 *     it (its lease has not expired); empty in a record given to the history, and for a job no
 *     live client holds
 */
public record JobEntry(String id, String featureSet, Optional<TimeRange> scope, BackfillStatus status,
    boolean committed, boolean needsFinishing, String document, Optional<String> holder) {
  public JobEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(featureSet, "featureSet");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(holder, "holder");
  }

  /** Whether this job's scope overlaps the other's: same feature set, and a reset or overlapping ranges. */
  public boolean overlaps(String otherFeatureSet, Optional<TimeRange> otherScope) {
    return featureSet.equals(otherFeatureSet)
        && (scope.isEmpty() || otherScope.isEmpty() || scope.get().overlaps(otherScope.get()));
  }

  /** This entry with the holder a history read. */
  public JobEntry withHolder(Optional<String> newHolder) {
    return new JobEntry(id, featureSet, scope, status, committed, needsFinishing, document, newHolder);
  }
}
