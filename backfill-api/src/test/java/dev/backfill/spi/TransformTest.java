package dev.backfill.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TransformTest {
  private static final Schema IN = Schema.of(new Field("id", FieldType.LONG), new Field("n", FieldType.LONG));
  private static final Schema OUT = Schema.of(new Field("id", FieldType.LONG), new Field("double_n", FieldType.LONG));
  private static final List<Row> ROWS = List.of(Row.of(IN, 1L, 10L), Row.of(IN, 2L, 20L), Row.of(IN, 3L, 30L));

  @Test
  void identityReturnsItsInputAndSchema() {
    Transform identity = Transform.identity();

    assertThat(identity.outputSchema(IN)).isSameAs(IN);
    assertThat(identity.apply(ROWS.stream()).toList()).isEqualTo(ROWS);
    assertThat(identity.lookback()).isEqualTo(Duration.ZERO);
    assertThat(Transform.identity()).isSameAs(identity);
  }

  @Test
  void mapHasTheGivenOutputSchemaAndMapsEachRow() {
    Transform doubled = Transform.map(OUT, r -> Row.of(OUT, r.get("id"), r.getLong("n") * 2));

    assertThat(doubled.outputSchema(IN)).isEqualTo(OUT);
    assertThat(doubled.apply(ROWS.stream()).map(r -> r.getLong("double_n")).toList()).containsExactly(20L, 40L, 60L);
    assertThat(doubled.lookback()).isEqualTo(Duration.ZERO);
  }

  @Test
  void filterKeepsMatchingRowsWithTheInputSchema() {
    Transform odd = Transform.filter(r -> r.getLong("id") % 2 == 1);

    assertThat(odd.outputSchema(IN)).isSameAs(IN);
    assertThat(odd.apply(ROWS.stream()).toList()).containsExactly(ROWS.get(0), ROWS.get(2));
    assertThat(odd.lookback()).isEqualTo(Duration.ZERO);
  }

  @Test
  void aUserImplementationGetsZeroLookbackByDefault() {
    Transform custom = new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return input;
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input;
      }
    };

    assertThat(custom.lookback()).isEqualTo(Duration.ZERO);
  }

  @Test
  void factoriesRejectNulls() {
    assertThatThrownBy(() -> Transform.map(null, r -> r)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Transform.map(OUT, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Transform.filter(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void mapAndFilterSayWhatTheyAreInLogLinesInsteadOfAnAnonymousClassName() {
    // Issue 17 point 13: they appeared as Transform$1@5e2de80c in the engine's log lines.
    assertThat(Transform.map(OUT, r -> r)).hasToString("Transform.map to " + OUT);
    assertThat(Transform.filter(r -> true)).hasToString("Transform.filter");
  }

  @Test
  void aTransformIsThreadSafeByDefaultAndSingleThreadedDeclaresItIsNotKeepingEverythingElse() {
    Transform shifted = new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return OUT;
      }

      @Override
      public Duration lookback() {
        return Duration.ofHours(2);
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input.map(r -> Row.of(OUT, r.get("id"), r.getLong("n") + 1));
      }

      @Override
      public String toString() {
        return "shifted";
      }
    };
    Transform single = Transform.singleThreaded(shifted);

    assertThat(shifted.threadSafe()).isTrue();
    assertThat(Transform.identity().threadSafe()).isTrue();
    assertThat(single.threadSafe()).isFalse();
    assertThat(single.outputSchema(IN)).isEqualTo(OUT);
    assertThat(single.lookback()).isEqualTo(Duration.ofHours(2));
    assertThat(single.apply(ROWS.stream()).map(r -> r.getLong("double_n")).toList()).containsExactly(11L, 21L, 31L);
    assertThat(single).hasToString("singleThreaded(shifted)");
    assertThatThrownBy(() -> Transform.singleThreaded(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("transform");
  }
}
