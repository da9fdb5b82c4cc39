package dev.backfill.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSpecTest {
  private static final Instant T1 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-02T00:00:00Z");
  // The event time is not the first column, so the tie-break order is visibly "schema order".
  private static final Schema SCHEMA = Schema.of(
      new Field("user", FieldType.STRING),
      new Field("ts", FieldType.TIMESTAMP),
      new Field("count", FieldType.LONG),
      new Field("score", FieldType.DOUBLE),
      new Field("flag", FieldType.BOOLEAN));
  private static final TableSpec TABLE = new TableSpec("clicks", SCHEMA, List.of("user"), "ts");
  private static final Comparator<Row> ORDER = TABLE.latestOrder();

  private static Row row(Instant ts, Long count, Double score, Boolean flag) {
    return Row.of(SCHEMA, "u1", ts, count, score, flag);
  }

  @Test
  void laterEventTimeIsGreaterWhateverTheOtherValues() {
    Row earlier = row(T1, 100L, 100.0, true);
    Row later = row(T2, 1L, 1.0, false);

    assertThat(ORDER.compare(later, earlier)).isPositive();
    assertThat(ORDER.compare(earlier, later)).isNegative();
  }

  @Test
  void equalEventTimesAreBrokenByColumnsInSchemaOrder() {
    // count decides before score, although score would point the other way.
    Row lowCount = row(T1, 1L, 9.0, true);
    Row highCount = row(T1, 2L, 0.0, false);

    assertThat(ORDER.compare(highCount, lowCount)).isPositive();
    assertThat(ORDER.compare(lowCount, highCount)).isNegative();
    // With count equal, score decides; with both equal, the boolean (false < true).
    assertThat(ORDER.compare(row(T1, 1L, 2.0, false), row(T1, 1L, 1.0, true))).isPositive();
    assertThat(ORDER.compare(row(T1, 1L, 1.0, true), row(T1, 1L, 1.0, false))).isPositive();
  }

  @Test
  void theFirstColumnBreaksTiesBeforeLaterOnes() {
    Row a = Row.of(SCHEMA, "a", T1, 9L, 9.0, true);
    Row b = Row.of(SCHEMA, "b", T1, 1L, 1.0, false);

    assertThat(ORDER.compare(b, a)).isPositive();
  }

  @Test
  void laterOfPicksTheGreaterRowInEitherArgumentOrder() {
    Row earlier = row(T1, 100L, 100.0, true);
    Row later = row(T2, 1L, 1.0, false);
    Row tieLow = row(T2, 0L, 1.0, false);

    assertThat(TABLE.laterOf(earlier, later)).isSameAs(later);
    assertThat(TABLE.laterOf(later, earlier)).isSameAs(later);
    assertThat(TABLE.laterOf(tieLow, later)).isSameAs(later);
    assertThat(TABLE.laterOf(later, tieLow)).isSameAs(later);
  }

  @Test
  void nullIsBelowAnyValue() {
    assertThat(ORDER.compare(row(T1, null, 1.0, true), row(T1, Long.MIN_VALUE, 1.0, true))).isNegative();
    assertThat(ORDER.compare(row(T1, 0L, null, true), row(T1, 0L, Double.NEGATIVE_INFINITY, true))).isNegative();
    assertThat(ORDER.compare(row(T1, 0L, 0.0, true), row(T1, 0L, 0.0, null))).isPositive();
    assertThat(ORDER.compare(row(T1, null, null, null), row(T1, null, null, null))).isZero();
  }

  @Test
  void doublesFollowDoubleCompare() {
    assertThat(ORDER.compare(row(T1, 0L, 0.0, true), row(T1, 0L, -0.0, true))).isPositive();
    assertThat(ORDER.compare(row(T1, 0L, Double.NaN, true), row(T1, 0L, Double.POSITIVE_INFINITY, true)))
        .isPositive();
    assertThat(ORDER.compare(row(T1, 0L, Double.NaN, true), row(T1, 0L, Double.NaN, true))).isZero();
  }

  @Test
  void equalRowsCompareZero() {
    assertThat(ORDER.compare(row(T1, 3L, 0.5, false), row(T1, 3L, 0.5, false))).isZero();
  }

  @Test
  void sortingIsIndependentOfInputOrder() {
    List<Row> rows = new ArrayList<>(List.of(
        row(T2, 1L, 1.0, true), row(T1, 5L, 1.0, true), row(T2, 1L, null, true), row(T2, 2L, 0.0, false)));
    List<Row> reversed = new ArrayList<>(rows);
    java.util.Collections.reverse(reversed);

    rows.sort(ORDER);
    reversed.sort(ORDER);

    assertThat(rows).isEqualTo(reversed);
    assertThat(rows.get(rows.size() - 1)).isEqualTo(row(T2, 2L, 0.0, false));
  }

  @Test
  void keyOfAndEventTimeOfReadTheNamedColumns() {
    TableSpec composite = new TableSpec("clicks", SCHEMA, List.of("count", "user"), "ts");
    Row row = row(T2, 7L, 1.0, true);

    assertThat(composite.keyOf(row)).isEqualTo(EntityKey.of(7L, "u1"));
    assertThat(composite.eventTimeOf(row)).isEqualTo(T2);
  }

  @Test
  void rejectsKeysAndEventTimesThatTheSchemaCannotHold() {
    assertThatThrownBy(() -> new TableSpec("clicks", SCHEMA, List.of(), "ts"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TableSpec("clicks", SCHEMA, List.of("nope"), "ts"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'");
    assertThatThrownBy(() -> new TableSpec("clicks", SCHEMA, List.of("user"), "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'");
    assertThatThrownBy(() -> new TableSpec("clicks", SCHEMA, List.of("user"), "count"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TIMESTAMP");
  }
}
