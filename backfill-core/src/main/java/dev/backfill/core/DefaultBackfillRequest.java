package dev.backfill.core;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import dev.backfill.api.InvalidBackfillRequestException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The fluent request; it records settings and leaves resolution to the client. It remembers its
 * latest plans, with what they were resolved from, so that {@link #submit(BackfillPlan)} runs
 * a reviewed plan as it was.
 */
final class DefaultBackfillRequest implements BackfillRequest {
  /** How many of its latest plans a request can submit: a dry run repeated in a loop must not grow memory. */
  static final int REMEMBERED_PLANS = 16;

  /** A plan this request made, the settings it was made from, and what it resolved to. */
  private record Planned(BackfillPlanner.RequestSpec spec, ResolvedBackfill resolved) {}

  private final Map<BackfillPlan, Planned> plans = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<BackfillPlan, Planned> eldest) {
      return size() > REMEMBERED_PLANS;
    }
  };
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
    BackfillPlanner.RequestSpec spec = spec();
    ResolvedBackfill resolved = client.resolve(featureSet, spec);
    plans.put(resolved.plan(), new Planned(spec, resolved));
    return resolved.plan();
  }

  @Override
  public BackfillJob submit() {
    return client.submit(client.resolve(featureSet, spec()));
  }

  @Override
  public BackfillJob submit(BackfillPlan plan) {
    Objects.requireNonNull(plan, "plan");
    Planned planned = plans.get(plan);
    if (planned == null) {
      throw new InvalidBackfillRequestException("feature set '" + featureSet + "': the plan " + plan
          + " was not made by this request's plan() (or is older than its latest " + REMEMBERED_PLANS
          + " plans); submit a plan of the request that made it, or plan this one and review that plan");
    }
    BackfillPlanner.RequestSpec now = spec();
    if (!planned.spec().sameBackfill(now)) {
      throw new InvalidBackfillRequestException("feature set '" + featureSet + "': the request changed since the plan "
          + plan + " was made (then: " + planned.spec().describe() + "; now: " + now.describe()
          + "); plan it again and review the new plan");
    }
    ResolvedBackfill resolved = planned.resolved();
    return client.submit(new ResolvedBackfill(resolved.featureSet(), resolved.plan(), resolved.source(),
        resolved.transform(), resolved.conformer(), now.deletionConfirmation()));
  }

  @Override
  public BackfillResult run() {
    return submit().await();
  }

  @Override
  public String toString() {
    return "BackfillRequest[" + featureSet + ": " + spec().describe() + "]";
  }

  private BackfillPlanner.RequestSpec spec() {
    return new BackfillPlanner.RequestSpec(reset, Optional.ofNullable(start), Optional.ofNullable(stop),
        Optional.ofNullable(source), Optional.ofNullable(transform), Optional.ofNullable(clusterTemplate),
        Optional.ofNullable(comment).filter(c -> !c.isBlank()), Optional.ofNullable(deletionConfirmation));
  }
}
