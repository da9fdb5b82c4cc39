package dev.backfill.core;

import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillTimes;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Resolves a request by the rules of the replacement contract: start defaults to the feature
 * set's backfill start, stop to now; both are rounded up to the next whole microsecond
 * ({@link BackfillTimes#roundUpToMicros}, the one rounding of every bound); a future stop is
 * rounded down to now; both must lie in the supported range; {@code start >= stop} is rejected;
 * the transform's output schema must feed the feature set.
 */
final class BackfillPlanner {
  private final Clock clock;

  BackfillPlanner(Clock clock) {
    this.clock = clock;
  }

  ResolvedBackfill resolve(FeatureSet featureSet, RequestSpec request) {
    String name = featureSet.name();
    Instant now = BackfillTimes.roundUpToMicros(clock.instant());
    Instant start = BackfillTimes.roundUpToMicros(request.start().orElse(featureSet.backfillStart()));
    Instant requestedStop = BackfillTimes.roundUpToMicros(request.stop().orElse(now));
    boolean clamped = requestedStop.isAfter(now);
    Instant stop = clamped ? now : requestedStop;
    if (!BackfillTimes.isSupported(start)) {
      throw outsideSupportedRange(name, "start", start);
    }
    if (stop.isAfter(BackfillTimes.SUPPORTED_STOP)) {
      throw outsideSupportedRange(name, clamped || request.stop().isEmpty() ? "stop (the clock's now)" : "stop", stop);
    }
    if (!start.isBefore(stop)) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': start " + start
          + " must be before stop " + stop + (clamped ? " (the requested stop " + requestedStop
          + " is in the future and was rounded down to now)" : "")
          + "; give a start before the stop");
    }
    DataSource source = request.source().or(featureSet::source).orElseThrow(() ->
        new InvalidBackfillRequestException("feature set '" + name
            + "' has no source; give one with source(...) on the request or the feature set"));
    Transform transform = request.transform().orElse(featureSet.transform());
    RowConformer conformer = new RowConformer(featureSet.table());
    Schema input = sourceSchema(name, source);
    Schema output = outputSchema(name, input, transform);
    conformer.checkProducible(output, transform == Transform.identity()
        ? "the source " + Describe.source(source) + " (with the identity transform) has the"
        : "the transform " + Describe.transform(transform) + " has the");
    checkSourceTimeColumn(name, source);
    if (transform.lookback().isNegative()) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': transform lookback "
          + transform.lookback() + " is negative; use zero or a positive duration");
    }
    ClusterTemplate template = request.clusterTemplate().orElse(featureSet.clusterTemplate());
    TimeRange range = TimeRange.of(start, stop);
    BackfillPlan plan = new BackfillPlan(name, range, request.reset(), clamped, template,
        SlicePlanner.slices(range, template.parallelism()), request.comment());
    return new ResolvedBackfill(featureSet, plan, source, transform, conformer, request.deletionConfirmation());
  }

  private static InvalidBackfillRequestException outsideSupportedRange(String featureSet, String bound, Instant t) {
    return new InvalidBackfillRequestException("feature set '" + featureSet + "': " + bound + " " + t
        + " is outside the supported range " + BackfillTimes.SUPPORTED_RANGE);
  }

  /** A declared source time column must be a TIMESTAMP column of the source, since slices filter their input by it. */
  private static void checkSourceTimeColumn(String name, DataSource source) {
    Optional<String> column = source.eventTimeColumn();
    if (column.isPresent() && source.schema().field(column.get()).map(Field::type).orElse(null) != FieldType.TIMESTAMP) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': the source's eventTimeColumn() '"
          + column.get() + "' is not a TIMESTAMP column of its schema " + source.schema());
    }
  }

  private static Schema sourceSchema(String name, DataSource source) {
    Schema input;
    try {
      input = source.schema();
    } catch (RuntimeException e) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': the source " + Describe.source(source)
          + " failed in schema(): " + e, e);
    }
    if (input == null) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': the source " + Describe.source(source)
          + " returned null from schema(); return the schema of the rows its read() returns");
    }
    return input;
  }

  private static Schema outputSchema(String name, Schema input, Transform transform) {
    Schema output;
    try {
      output = transform.outputSchema(input);
    } catch (InvalidBackfillRequestException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': the transform " + Describe.transform(transform)
          + " failed in outputSchema(" + input + "): " + e, e);
    }
    if (output == null) {
      throw new InvalidBackfillRequestException("feature set '" + name + "': the transform " + Describe.transform(transform)
          + " returned null from outputSchema(" + input + "); return the schema of the rows its apply() returns");
    }
    return output;
  }

  /** What a request asked for; empty means "the default". */
  record RequestSpec(boolean reset, Optional<Instant> start, Optional<Instant> stop,
      Optional<DataSource> source, Optional<Transform> transform,
      Optional<ClusterTemplate> clusterTemplate, Optional<String> comment,
      Optional<DeletionConfirmation> deletionConfirmation) {

    /**
     * Whether the two ask for the same backfill: every setting but the deletion confirmation,
     * which decides what a job may do, not what it computes. Sources and transforms by their
     * {@code equals} (usually the same instance).
     */
    boolean sameBackfill(RequestSpec other) {
      return reset == other.reset && start.equals(other.start) && stop.equals(other.stop)
          && source.equals(other.source) && transform.equals(other.transform)
          && clusterTemplate.equals(other.clusterTemplate) && comment.equals(other.comment);
    }

    /** The settings as a log line shows them; defaults are named as such. */
    String describe() {
      return (reset ? "reset, " : "") + "start " + start.map(Instant::toString).orElse("(the backfill start)")
          + ", stop " + stop.map(Instant::toString).orElse("(now)")
          + ", source " + source.map(Describe::source).orElse("(the feature set's)")
          + ", transform " + transform.map(Describe::transform).orElse("(the feature set's)")
          + ", template " + clusterTemplate.map(Enum::name).orElse("(the feature set's)")
          + comment.map(c -> ", comment '" + c + "'").orElse("")
          + deletionConfirmation.map(c -> ", deletion confirmation").orElse("");
    }
  }
}
