package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.FeatureSet;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowConformerTest {
  private static final Instant TS = Instant.parse("2024-01-01T10:00:00Z");
  private static final FeatureSet CLICKS = FeatureSet.builder("clicks")
      .key("user", FieldType.STRING)
      .eventTime("ts")
      .feature("n", FieldType.LONG)
      .feature("score", FieldType.DOUBLE)
      .backfillStart(TS)
      .build();
  private static final RowConformer CONFORMER = new RowConformer(CLICKS.table());

  private static final Field USER = new Field("user", FieldType.STRING);
  private static final Field TIME = new Field("ts", FieldType.TIMESTAMP);
  private static final Field N = new Field("n", FieldType.LONG);
  private static final Field SCORE = new Field("score", FieldType.DOUBLE);

  @Test
  void aRowOfTheExactSchemaPasses() {
    Row row = Row.of(CLICKS.schema(), "u1", TS, 3L, 0.5);

    assertThat(CONFORMER.conform(row)).isEqualTo(row);
    assertThat(CONFORMER.eventTime(row)).isEqualTo(TS);
  }

  @Test
  void nullFeaturesAreAllowed() {
    Row row = Row.of(CLICKS.schema(), "u1", TS, null, null);

    assertThat(CONFORMER.conform(row)).isEqualTo(row);
  }

  @Test
  void aRowWithTheSameColumnsInAnotherOrderIsReordered() {
    Schema shuffled = Schema.of(SCORE, N, TIME, USER);
    Row row = Row.of(shuffled, 0.5, 3L, TS, "u1");

    Row conformed = CONFORMER.conform(row);

    assertThat(conformed.schema()).isEqualTo(CLICKS.schema());
    assertThat(conformed).isEqualTo(Row.of(CLICKS.schema(), "u1", TS, 3L, 0.5));
  }

  @Test
  void aMissingColumnIsNamed() {
    Row row = Row.of(Schema.of(USER, TIME, N), "u1", TS, 3L);

    assertThatThrownBy(() -> CONFORMER.conform(row))
        .isInstanceOfSatisfying(InvalidRowException.class, e -> {
          assertThat(e.featureSet()).isEqualTo("clicks");
          assertThat(e.column()).isEqualTo("score");
          assertThat(e.value()).isEmpty();
        })
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("'score'")
        .hasMessageContaining("missing");
  }

  @Test
  void anExtraColumnIsNamedWithItsValue() {
    Row row = Row.of(Schema.of(USER, TIME, N, SCORE, new Field("extra", FieldType.STRING)),
        "u1", TS, 3L, 0.5, "surplus");

    assertThatThrownBy(() -> CONFORMER.conform(row))
        .isInstanceOfSatisfying(InvalidRowException.class, e -> {
          assertThat(e.featureSet()).isEqualTo("clicks");
          assertThat(e.column()).isEqualTo("extra");
          assertThat(e.value()).contains("surplus");
        })
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("'extra'")
        .hasMessageContaining("'surplus'");
  }

  @Test
  void aMistypedColumnIsNamedWithItsValue() {
    // Same names in the same order: only the type of n differs.
    Row row = Row.of(Schema.of(USER, TIME, new Field("n", FieldType.STRING), SCORE), "u1", TS, "three", 0.5);

    assertThatThrownBy(() -> CONFORMER.conform(row))
        .isInstanceOfSatisfying(InvalidRowException.class, e -> {
          assertThat(e.featureSet()).isEqualTo("clicks");
          assertThat(e.column()).isEqualTo("n");
          assertThat(e.value()).contains("three");
        })
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("'n'")
        .hasMessageContaining("'three'")
        .hasMessageContaining("LONG");
  }

  @Test
  void aNullKeyIsRejected() {
    Row exact = Row.of(CLICKS.schema(), null, TS, 3L, 0.5);
    Row shuffled = Row.of(Schema.of(TIME, USER, N, SCORE), TS, null, 3L, 0.5);

    for (Row row : new Row[] {exact, shuffled}) {
      assertThatThrownBy(() -> CONFORMER.conform(row))
          .isInstanceOfSatisfying(InvalidRowException.class, e -> {
            assertThat(e.featureSet()).isEqualTo("clicks");
            assertThat(e.column()).isEqualTo("user");
          })
          .hasMessageContaining("null");
    }
  }

  @Test
  void aNullEventTimeIsRejected() {
    Row row = Row.of(CLICKS.schema(), "u1", null, 3L, 0.5);

    assertThatThrownBy(() -> CONFORMER.conform(row))
        .isInstanceOfSatisfying(InvalidRowException.class, e -> {
          assertThat(e.featureSet()).isEqualTo("clicks");
          assertThat(e.column()).isEqualTo("ts");
        })
        .hasMessageContaining("event-time");
  }

  @Test
  void aTimestampFinerThanAMicrosecondIsRejectedAndMicrosecondsPass() {
    Row nanos = Row.of(CLICKS.schema(), "u1", TS.plusNanos(1_500), 3L, 0.5);
    Row micros = Row.of(CLICKS.schema(), "u1", TS.plusNanos(2_000), 3L, 0.5);

    assertThatThrownBy(() -> CONFORMER.conform(nanos))
        .isInstanceOfSatisfying(InvalidRowException.class, e -> assertThat(e.column()).isEqualTo("ts"))
        .hasMessageContaining("microsecond");
    assertThat(CONFORMER.conform(micros)).isEqualTo(micros);
  }

  @Test
  void timestampsOutsideTheSupportedRangeAreRejectedInEveryTimestampColumnAndItsEdgesPass() {
    FeatureSet withTime = FeatureSet.builder("visits").key("user", FieldType.STRING).eventTime("ts")
        .feature("seen", FieldType.TIMESTAMP).backfillStart(TS).build();
    RowConformer conformer = new RowConformer(withTime.table());
    Instant first = Instant.parse("0001-01-01T00:00:00Z");
    Instant last = Instant.parse("9999-12-31T23:59:59.999999Z");
    Row edges = Row.of(withTime.schema(), "u1", first, last);
    assertThat(conformer.conform(edges)).isEqualTo(edges);

    for (Instant outside : List.of(first.minusNanos(1_000), last.plusNanos(1_000), Instant.parse("-5000-01-01T00:00:00Z"))) {
      assertThatThrownBy(() -> conformer.conform(Row.of(withTime.schema(), "u1", outside, TS)))
          .isInstanceOfSatisfying(InvalidRowException.class, e -> assertThat(e.column()).isEqualTo("ts"))
          .hasMessage("invalid row for feature set 'visits': column 'ts' value " + outside
              + " (Instant): the timestamp is outside the supported range [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
      assertThatThrownBy(() -> conformer.conform(Row.of(withTime.schema(), "u1", TS, outside)))
          .isInstanceOfSatisfying(InvalidRowException.class, e -> assertThat(e.column()).isEqualTo("seen"));
    }
  }

  @Test
  void checkProducibleAcceptsTheSchemaInAnyOrder() {
    assertThatCode(() -> CONFORMER.checkProducible(CLICKS.schema(), "the transform's")).doesNotThrowAnyException();
    assertThatCode(() -> CONFORMER.checkProducible(Schema.of(SCORE, N, TIME, USER), "the transform's"))
        .doesNotThrowAnyException();
  }

  @Test
  void checkProducibleListsEveryProblem() {
    Schema produced = Schema.of(USER, new Field("ts", FieldType.STRING), N, new Field("bonus", FieldType.LONG));

    assertThatThrownBy(() -> CONFORMER.checkProducible(produced, "the transform's"))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("column 'ts' is STRING, expected TIMESTAMP")
        .hasMessageContaining("column 'score' (DOUBLE) is missing")
        .hasMessageContaining("column 'bonus' is not in the feature set");
  }
}
