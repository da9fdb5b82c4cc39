package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillPlan;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BackfillPlannerTest {
  private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
  private static final Instant BACKFILL_START = Instant.parse("2024-01-01T00:00:00Z");
  private static final BackfillPlanner PLANNER = new BackfillPlanner(Clock.fixed(NOW, ZoneOffset.UTC));

  private static final FeatureSet WITHOUT_SOURCE = FeatureSet.builder("clicks")
      .key("user", FieldType.STRING)
      .eventTime("ts")
      .feature("n", FieldType.LONG)
      .backfillStart(BACKFILL_START)
      .build();
  private static final DataSource SOURCE = source(WITHOUT_SOURCE.schema());
  private static final FeatureSet CLICKS = WITHOUT_SOURCE.toBuilder().source(SOURCE).build();

  private static DataSource source(Schema schema) {
    return new DataSource() {
      @Override
      public Schema schema() {
        return schema;
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        return Stream.empty();
      }
    };
  }

  /** A request with every choice left to the defaults unless set. */
  private static final class Request {
    boolean reset;
    Instant start;
    Instant stop;
    DataSource source;
    Transform transform;
    ClusterTemplate template;
    String comment;

    BackfillPlanner.RequestSpec spec() {
      return new BackfillPlanner.RequestSpec(reset, Optional.ofNullable(start), Optional.ofNullable(stop),
          Optional.ofNullable(source), Optional.ofNullable(transform), Optional.ofNullable(template),
          Optional.ofNullable(comment), Optional.empty());
    }
  }

  private static ResolvedBackfill resolve(FeatureSet fs, Request request) {
    return PLANNER.resolve(fs, request.spec());
  }

  @Test
  void defaultsToTheFeatureSetsStartUntilNow() {
    ResolvedBackfill resolved = resolve(CLICKS, new Request());
    BackfillPlan plan = resolved.plan();

    assertThat(plan.featureSet()).isEqualTo("clicks");
    assertThat(plan.range()).isEqualTo(TimeRange.of(BACKFILL_START, NOW));
    assertThat(plan.stopClamped()).isFalse();
    assertThat(plan.reset()).isFalse();
    assertThat(plan.comment()).isEmpty();
    assertThat(plan.clusterTemplate()).isEqualTo(ClusterTemplate.SMALL);
    assertThat(plan.slices()).isNotEmpty();
    assertThat(resolved.source()).isSameAs(SOURCE);
    assertThat(resolved.transform()).isSameAs(Transform.identity());
  }

  @Test
  void aFutureStopIsClampedToNow() {
    Request request = new Request();
    request.stop = NOW.plus(Duration.ofDays(30));

    BackfillPlan plan = resolve(CLICKS, request).plan();

    assertThat(plan.range().stop()).isEqualTo(NOW);
    assertThat(plan.stopClamped()).isTrue();
  }

  @Test
  void aStopOfExactlyNowIsNotClamped() {
    Request request = new Request();
    request.stop = NOW;

    assertThat(resolve(CLICKS, request).plan().stopClamped()).isFalse();
  }

  @Test
  void startNotBeforeStopIsRejectedNamingBothTimes() {
    Instant start = Instant.parse("2024-03-01T00:00:00Z");
    Instant stop = Instant.parse("2024-02-01T00:00:00Z");
    Request reversed = new Request();
    reversed.start = start;
    reversed.stop = stop;
    Request empty = new Request();
    empty.start = stop;
    empty.stop = stop;

    assertThatThrownBy(() -> resolve(CLICKS, reversed))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'clicks'")
        .hasMessageContaining(start.toString())
        .hasMessageContaining(stop.toString());
    assertThatThrownBy(() -> resolve(CLICKS, empty))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining(stop.toString());
  }

  @Test
  void aFutureStartIsRejectedAgainstTheClampedStop() {
    // After clamping, stop is now, so a start later than now leaves nothing to backfill.
    Request request = new Request();
    request.start = NOW.plusSeconds(60);
    request.stop = NOW.plusSeconds(3600);

    assertThatThrownBy(() -> resolve(CLICKS, request))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining(NOW.plusSeconds(60).toString())
        .hasMessageContaining(NOW.toString())
        .hasMessageContaining("future");
  }

  @Test
  void anExplicitStartBeforeTheBackfillStartIsAllowed() {
    Request request = new Request();
    request.start = BACKFILL_START.minus(Duration.ofDays(365));

    assertThat(resolve(CLICKS, request).plan().range().start()).isEqualTo(request.start);
  }

  @Test
  void noSourceIsRejected() {
    assertThatThrownBy(() -> resolve(WITHOUT_SOURCE, new Request()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("no source");
  }

  @Test
  void aRequestSourceReplacesTheFeatureSetsOne() {
    DataSource other = source(CLICKS.schema());
    Request request = new Request();
    request.source = other;

    assertThat(resolve(WITHOUT_SOURCE, request).source()).isSameAs(other);
    assertThat(resolve(CLICKS, request).source()).isSameAs(other);
  }

  @Test
  void aTransformWhoseOutputCannotFeedTheFeatureSetIsRejected() {
    Schema wrong = Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP),
        new Field("n", FieldType.DOUBLE));
    Request request = new Request();
    request.transform = Transform.map(wrong, row -> row);

    assertThatThrownBy(() -> resolve(CLICKS, request))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("column 'n' is DOUBLE, expected LONG");
  }

  @Test
  void aSourceThatCannotFeedTheIdentityTransformIsRejected() {
    Request request = new Request();
    request.source = source(Schema.of(new Field("user", FieldType.STRING), new Field("ts", FieldType.TIMESTAMP)));

    assertThatThrownBy(() -> resolve(CLICKS, request))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("column 'n' (LONG) is missing");
  }

  @Test
  void aTransformWhoseOutputSchemaThrowsIsAnInvalidRequest() {
    Request request = new Request();
    request.transform = new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        throw new IllegalStateException("no schema today");
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input;
      }
    };

    assertThatThrownBy(() -> resolve(CLICKS, request))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("no schema today")
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aNegativeLookbackIsRejected() {
    Request request = new Request();
    request.transform = new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return input;
      }

      @Override
      public Duration lookback() {
        return Duration.ofHours(-1);
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input;
      }
    };

    assertThatThrownBy(() -> resolve(CLICKS, request))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("lookback")
        .hasMessageContaining("PT-1H");
  }

  @Test
  void theClusterTemplateDefaultsToTheFeatureSetsAndCanBeOverridden() {
    FeatureSet large = CLICKS.toBuilder().clusterTemplate(ClusterTemplate.LARGE).build();
    Request override = new Request();
    override.template = ClusterTemplate.MEDIUM;

    assertThat(resolve(large, new Request()).plan().clusterTemplate()).isEqualTo(ClusterTemplate.LARGE);
    assertThat(resolve(large, override).plan().clusterTemplate()).isEqualTo(ClusterTemplate.MEDIUM);
  }

  @Test
  void resetAndCommentAreCarriedIntoThePlan() {
    Request request = new Request();
    request.reset = true;
    request.comment = "fix the fare bug";

    BackfillPlan plan = resolve(CLICKS, request).plan();

    assertThat(plan.reset()).isTrue();
    assertThat(plan.comment()).contains("fix the fare bug");
  }

  @Test
  void everyBoundIsRoundedUpToTheNextWholeMicrosecond() {
    Request explicit = new Request();
    explicit.start = BACKFILL_START.plusNanos(500);
    explicit.stop = Instant.parse("2024-03-01T00:00:00.000000001Z");
    BackfillPlan plan = resolve(CLICKS, explicit).plan();
    assertThat(plan.range()).isEqualTo(TimeRange.of(BACKFILL_START.plusNanos(1_000), Instant.parse("2024-03-01T00:00:00.000001Z")));
    assertThat(plan.slices().get(0).start()).isEqualTo(plan.range().start());
    assertThat(plan.slices().get(plan.slices().size() - 1).stop()).isEqualTo(plan.range().stop());

    // The clock's now (a nanosecond clock is the JDK's default) and the feature set's start.
    BackfillPlanner nanoClock = new BackfillPlanner(Clock.fixed(NOW.plusNanos(1), ZoneOffset.UTC));
    FeatureSet nanoStart = CLICKS.toBuilder().backfillStart(BACKFILL_START.plusNanos(999)).build();
    BackfillPlan defaults = nanoClock.resolve(nanoStart, new Request().spec()).plan();
    assertThat(defaults.range()).isEqualTo(TimeRange.of(BACKFILL_START.plusNanos(1_000), NOW.plusNanos(1_000)));
    assertThat(defaults.stopClamped()).isFalse();

    Request future = new Request();
    future.stop = NOW.plusNanos(1_000_001);
    BackfillPlan clamped = nanoClock.resolve(CLICKS, future.spec()).plan();
    assertThat(clamped.range().stop()).isEqualTo(NOW.plusNanos(1_000));
    assertThat(clamped.stopClamped()).isTrue();
  }

  @Test
  void boundsOutsideTheSupportedRangeAreRefusedNamingTheBoundAndTheRange() {
    Request yearOne = new Request();
    yearOne.start = Instant.parse("0001-01-01T00:00:00Z");
    assertThat(resolve(CLICKS, yearOne).plan().range().start()).isEqualTo(yearOne.start);

    Request tooEarly = new Request();
    tooEarly.start = Instant.parse("0000-12-31T23:59:59.999999Z");
    assertThatThrownBy(() -> resolve(CLICKS, tooEarly))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessage("feature set 'clicks': start 0000-12-31T23:59:59.999999Z is outside the supported range "
            + "[0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");

    BackfillPlanner farFuture = new BackfillPlanner(Clock.fixed(Instant.parse("+10000-01-01T00:00:01Z"), ZoneOffset.UTC));
    assertThatThrownBy(() -> farFuture.resolve(CLICKS, new Request().spec()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("stop (the clock's now) +10000-01-01T00:00:01Z is outside the supported range");
    BackfillPlanner lastDay = new BackfillPlanner(Clock.fixed(Instant.parse("+10000-01-01T00:00:00Z"), ZoneOffset.UTC));
    assertThat(lastDay.resolve(CLICKS, new Request().spec()).plan().range().stop())
        .as("the exclusive end of the range is a valid stop").isEqualTo(Instant.parse("+10000-01-01T00:00:00Z"));
  }
}
