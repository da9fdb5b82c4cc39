package dev.backfill.core;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The fluent request; it records settings and leaves resolution to the client. */
final class DefaultBackfillRequest implements BackfillRequest {
  private final DefaultBackfillClient client;
  private final String featureSet;
  private boolean reset;
  private Instant start;
  private Instant stop;
  private DataSource source;
  private Transform transform;
  private ClusterTemplate clusterTemplate;
  private String comment;
  private DeletionConfirmation deletionConfirmation;

  DefaultBackfillRequest(DefaultBackfillClient client, String featureSet) {
    this.client = client;
    this.featureSet = featureSet;
  }

  @Override
  public BackfillRequest reset() {
    this.reset = true;
    return this;
  }

  @Override
  public BackfillRequest startTime(Instant start) {
    this.start = Objects.requireNonNull(start, "start");
    return this;
  }

  @Override
  public BackfillRequest stopTime(Instant stop) {
    this.stop = Objects.requireNonNull(stop, "stop");
    return this;
  }

  @Override
  public BackfillRequest between(Instant start, Instant stop) {
    return startTime(start).stopTime(stop);
  }

  @Override
  public BackfillRequest source(DataSource source) {
    this.source = Objects.requireNonNull(source, "source");
    return this;
  }

  @Override
  public BackfillRequest transform(Transform transform) {
    this.transform = Objects.requireNonNull(transform, "transform");
    return this;
  }

  @Override
  public BackfillRequest clusterTemplate(ClusterTemplate template) {
    this.clusterTemplate = Objects.requireNonNull(template, "template");
    return this;
  }

  @Override
  public BackfillRequest comment(String comment) {
    this.comment = Objects.requireNonNull(comment, "comment");
    return this;
  }

  @Override
  public BackfillRequest confirmDeletion(DeletionConfirmation confirmation) {
    this.deletionConfirmation = Objects.requireNonNull(confirmation, "confirmation");
    return this;
  }

  @Override
  public BackfillPlan plan() {
    return client.resolve(featureSet, spec()).plan();
  }

  @Override
  public BackfillJob submit() {
    return client.submit(featureSet, spec());
  }

  @Override
  public BackfillResult run() {
    return submit().await();
  }

  private BackfillPlanner.RequestSpec spec() {
    return new BackfillPlanner.RequestSpec(reset, Optional.ofNullable(start), Optional.ofNullable(stop),
        Optional.ofNullable(source), Optional.ofNullable(transform), Optional.ofNullable(clusterTemplate),
        Optional.ofNullable(comment).filter(c -> !c.isBlank()), Optional.ofNullable(deletionConfirmation));
  }
}
