package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeatureSetTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  private static FeatureSet.Builder valid() {
    return FeatureSet.builder("trips")
        .key("city", FieldType.STRING)
        .key("driver", FieldType.LONG)
        .eventTime("ts")
        .feature("fare", FieldType.DOUBLE)
        .backfillStart(START);
  }

  private static DataSource emptySource(Schema schema) {
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

  @Test
  void schemaOrderIsKeysThenEventTimeThenFeaturesWhateverTheCallOrder() {
    FeatureSet fs = FeatureSet.builder("trips")
        .feature("fare", FieldType.DOUBLE)
        .eventTime("ts")
        .key("city", FieldType.STRING)
        .feature("distance", FieldType.LONG)
        .key("driver", FieldType.LONG)
        .backfillStart(START)
        .build();

    assertThat(fs.schema().fields()).containsExactly(
        new Field("city", FieldType.STRING),
        new Field("driver", FieldType.LONG),
        new Field("ts", FieldType.TIMESTAMP),
        new Field("fare", FieldType.DOUBLE),
        new Field("distance", FieldType.LONG));
    assertThat(fs.keyColumns()).containsExactly("city", "driver");
    assertThat(fs.eventTimeColumn()).isEqualTo("ts");
    assertThat(fs.featureColumns()).containsExactly("fare", "distance");
    assertThat(fs.name()).isEqualTo("trips");
    assertThat(fs.backfillStart()).isEqualTo(START);
  }

  @Test
  void missingKeyIsNamed() {
    FeatureSet.Builder builder = FeatureSet.builder("trips").eventTime("ts").backfillStart(START);

    assertThatThrownBy(builder::build)
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'trips'")
        .hasMessageContaining("no key column");
  }

  @Test
  void missingEventTimeIsNamed() {
    FeatureSet.Builder builder = FeatureSet.builder("trips").key("city", FieldType.STRING).backfillStart(START);

    assertThatThrownBy(builder::build)
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'trips'")
        .hasMessageContaining("event-time");
  }

  @Test
  void missingBackfillStartIsNamed() {
    FeatureSet.Builder builder = FeatureSet.builder("trips").key("city", FieldType.STRING).eventTime("ts");

    assertThatThrownBy(builder::build)
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'trips'")
        .hasMessageContaining("backfill start");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1trips", "_trips", "my-trips", "trips!", "trip s"})
  void invalidFeatureSetNameIsRejected(String name) {
    assertThatThrownBy(() -> FeatureSet.builder(name))
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  void longestValidNameIsAccepted() {
    String name = "a".repeat(128);

    assertThat(FeatureSet.builder(name).key("k", FieldType.LONG).eventTime("ts").backfillStart(START).build().name())
        .isEqualTo(name);
    assertThatThrownBy(() -> FeatureSet.builder(name + "a")).isInstanceOf(InvalidFeatureSetException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bad-col", "1col", "col umn", "", " "})
  void invalidColumnNameIsRejectedAsAnInvalidFeatureSet(String column) {
    // Each role is checked: the column name rules must not depend on where the column is declared.
    assertThatThrownBy(() -> valid().feature(column, FieldType.LONG).build())
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'trips'")
        .hasMessageContaining("'" + column + "'");
    assertThatThrownBy(() -> valid().key(column, FieldType.LONG).build())
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'" + column + "'");
    assertThatThrownBy(() -> valid().eventTime(column).build())
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'" + column + "'");
  }

  @Test
  void duplicateColumnIsRejected() {
    assertThatThrownBy(() -> valid().feature("city", FieldType.STRING).build())
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'trips'")
        .hasMessageContaining("'city'");
    assertThatThrownBy(() -> valid().eventTime("driver").build())
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessageContaining("'driver'");
  }

  @Test
  void defaultsAreIdentityTransformSmallTemplateAndNoSource() {
    FeatureSet fs = valid().build();

    assertThat(fs.transform()).isSameAs(Transform.identity());
    assertThat(fs.clusterTemplate()).isEqualTo(ClusterTemplate.SMALL);
    assertThat(fs.source()).isEmpty();
  }

  @Test
  void keyOfAndEventTimeOfReadTheRow() {
    FeatureSet fs = valid().build();
    Instant ts = Instant.parse("2024-02-03T04:05:06Z");
    Row row = Row.of(fs.schema(), "paris", 42, ts, 12.5);

    assertThat(fs.keyOf(row)).isEqualTo(EntityKey.of("paris", 42L));
    assertThat(fs.eventTimeOf(row)).isEqualTo(ts);
  }

  @Test
  void toBuilderRoundTripKeepsEveryProperty() {
    Transform transform = Transform.filter(row -> true);
    FeatureSet original = valid()
        .source(emptySource(valid().build().schema()))
        .transform(transform)
        .clusterTemplate(ClusterTemplate.LARGE)
        .build();

    FeatureSet copy = original.toBuilder().build();

    assertThat(copy.name()).isEqualTo(original.name());
    assertThat(copy.schema()).isEqualTo(original.schema());
    assertThat(copy.keyColumns()).isEqualTo(original.keyColumns());
    assertThat(copy.eventTimeColumn()).isEqualTo(original.eventTimeColumn());
    assertThat(copy.featureColumns()).isEqualTo(original.featureColumns());
    assertThat(copy.source()).containsSame(original.source().orElseThrow());
    assertThat(copy.transform()).isSameAs(transform);
    assertThat(copy.backfillStart()).isEqualTo(START);
    assertThat(copy.clusterTemplate()).isEqualTo(ClusterTemplate.LARGE);
    assertThat(copy.table()).isEqualTo(original.table());
  }

  @Test
  void toBuilderChangesDoNotAffectTheOriginal() {
    FeatureSet original = valid().build();

    FeatureSet changed = original.toBuilder()
        .feature("tip", FieldType.DOUBLE)
        .clusterTemplate(ClusterTemplate.XLARGE)
        .build();

    assertThat(changed.featureColumns()).containsExactly("fare", "tip");
    assertThat(original.featureColumns()).containsExactly("fare");
    assertThat(original.clusterTemplate()).isEqualTo(ClusterTemplate.SMALL);
  }

  @Test
  void aBackfillStartOutsideTheSupportedRangeIsRefusedNamingItAndTheRange() {
    assertThat(valid().backfillStart(BackfillTimes.SUPPORTED_START).build().backfillStart())
        .isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    assertThat(valid().backfillStart(Instant.parse("9999-12-31T23:59:59.999999Z")).build().backfillStart())
        .isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
    for (Instant outside : java.util.List.of(Instant.parse("1600-01-01T00:00:00Z").minus(java.time.Duration.ofDays(600_000)),
        BackfillTimes.SUPPORTED_STOP, Instant.MIN)) {
      assertThatThrownBy(() -> valid().backfillStart(outside).build())
          .isInstanceOf(InvalidFeatureSetException.class)
          .hasMessage("feature set 'trips': backfill start " + outside + " is outside the supported range "
              + "[0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
    }
  }

  @Test
  void columnsWhoseNamesDifferOnlyInCaseAreRefused() {
    // Issue 17 point 4: the in-memory stores accepted v and V, DuckDB failed with its catalog error.
    assertThatThrownBy(() -> valid().feature("Fare", FieldType.LONG).build())
        .isInstanceOf(InvalidFeatureSetException.class)
        .hasMessage("feature set 'trips': columns 'fare' and 'Fare' differ only in case, which SQL stores (DuckDB, "
            + "Iceberg) cannot tell apart; rename one of them");
    assertThatThrownBy(() -> FeatureSet.builder("t").key("id", FieldType.STRING).eventTime("ID").backfillStart(START).build())
        .isInstanceOf(InvalidFeatureSetException.class).hasMessageContaining("'id' and 'ID'");
    assertThat(FeatureSet.sameNameIgnoringCase("Trips", "trips")).isTrue();
    assertThat(FeatureSet.sameNameIgnoringCase("trips", "trips2")).isFalse();
  }

  @Test
  void equalDefinitionsAreEqualAndHashAlike() {
    // Issue 17 point 13: FeatureSet had identity equality.
    DataSource source = emptySource(valid().build().schema());
    FeatureSet a = valid().source(source).build();
    FeatureSet b = valid().source(source).build();

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toBuilder().build()).isEqualTo(a);
    assertThat(valid().source(source).backfillStart(START.plusSeconds(1)).build()).isNotEqualTo(a);
    assertThat(valid().source(source).clusterTemplate(ClusterTemplate.LARGE).build()).isNotEqualTo(a);
    assertThat(valid().source(emptySource(a.schema())).build()).as("another source instance").isNotEqualTo(a);
    assertThat(valid().source(source).feature("extra", FieldType.LONG).build()).isNotEqualTo(a);
    assertThat(valid().build()).as("without a source").isNotEqualTo(a).isEqualTo(valid().build());
  }
}
