package dev.backfill.core;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.BackfillStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A job as its record says, read from a job history without a client: it does not change. An
 * unfinished job of a history no client holds is {@link BackfillProgress.Stage#AWAITING_RECOVERY}.
 */
final class RecordedJob implements BackfillJob {
  private final JobRecord record;
  private final BackfillPlan plan;
  private final BackfillProgress progress;

  /** @param live whether a client held the history: then an unfinished job is running, in its recorded stage */
  RecordedJob(JobRecord record, boolean live) {
    this.record = record;
    this.plan = record.plan();
    BackfillProgress.Stage stage = record.status().isTerminal() ? BackfillProgress.Stage.FINISHED
        : live ? record.recordedStage() : BackfillProgress.Stage.AWAITING_RECOVERY;
    this.progress = record.progress(stage);
  }

  @Override
  public String id() {
    return record.id();
  }

  long sequence() {
    return record.sequence();
  }

  @Override
  public BackfillPlan plan() {
    return plan;
  }

  @Override
  public BackfillStatus status() {
    return record.status();
  }

  @Override
  public BackfillProgress progress() {
    return progress;
  }

  @Override
  public Instant submittedAt() {
    return Instant.parse(record.submittedAt());
  }

  @Override
  public Optional<BackfillResult> result() {
    return record.status() == BackfillStatus.SUCCEEDED ? record.toResult() : Optional.empty();
  }

  @Override
  public Optional<String> failure() {
    return Optional.ofNullable(record.failure());
  }

  /**
   * The result of a finished job, or its failure; an unfinished job of a snapshot never finishes.
   *
   * @throws IllegalStateException for an unfinished job: build a client to follow it
   */
  @Override
  public BackfillResult await() {
    return switch (record.status()) {
      case SUCCEEDED -> result().orElseThrow(() -> new IllegalStateException("job " + id() + " has no recorded result"));
      case FAILED -> throw new BackfillFailedException(id(), record.failure(), new BackfillException(record.failure()));
      case CANCELLED -> throw new BackfillCancelledException(id());
      default -> throw new IllegalStateException("backfill job " + id() + " is read from a job history and does not "
          + "change; build a client on the history to follow or finish it");
    };
  }

  /** Returns at once: a snapshot's job does not change. Empty for an unfinished job. */
  @Override
  public Optional<BackfillResult> await(Duration timeout) {
    return record.status().isTerminal() ? Optional.of(await()) : Optional.empty();
  }

  @Override
  public boolean cancel() {
    return false;
  }

  @Override
  public CommitStage commitStage() {
    return record.committed() ? CommitStage.COMMITTED : CommitStage.BEFORE_COMMIT;
  }

  @Override
  public String toString() {
    return "BackfillJob[" + id() + " " + plan.featureSet() + " " + plan.range() + " " + status() + ", recorded]";
  }
}
