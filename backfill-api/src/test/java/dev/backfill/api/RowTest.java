package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowTest {
  private static final Instant TS = Instant.parse("2024-01-01T10:00:00Z");
  private static final Schema SCHEMA = Schema.of(
      new Field("id", FieldType.LONG),
      new Field("name", FieldType.STRING),
      new Field("score", FieldType.DOUBLE),
      new Field("active", FieldType.BOOLEAN),
      new Field("ts", FieldType.TIMESTAMP));

  @Test
  void keepsValuesInSchemaOrderWithTypedGetters() {
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);

    assertThat(row.schema()).isEqualTo(SCHEMA);
    assertThat(row.getLong("id")).isEqualTo(1L);
    assertThat(row.getString("name")).isEqualTo("a");
    assertThat(row.getDouble("score")).isEqualTo(0.5);
    assertThat(row.getBoolean("active")).isTrue();
    assertThat(row.getInstant("ts")).isEqualTo(TS);
    assertThat(row.get(1)).isEqualTo("a");
  }

  @Test
  void rejectsTheWrongNumberOfValues() {
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a"))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("2 values")
        .hasMessageContaining("5 columns");
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a", 0.5, true, TS, "extra"))
        .isInstanceOf(InvalidValueException.class);
  }

  @Test
  void rejectsAValueOfTheWrongTypeNamingTheColumn() {
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, 42L, 0.5, true, TS))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'name'")
        .hasMessageContaining("STRING");
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a", 0.5, true, "2024-01-01"))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'ts'");
    // Narrowing is not widening: a Double in a LONG column would lose information.
    assertThatThrownBy(() -> Row.of(SCHEMA, 1.0, "a", 0.5, true, TS))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'id'");
  }

  @Test
  void widensIntegerToLongAndFloatToDouble() {
    Row row = Row.of(SCHEMA, 7, "a", 0.5f, false, TS);

    assertThat(row.get("id")).isInstanceOf(Long.class).isEqualTo(7L);
    assertThat(row.get("score")).isInstanceOf(Double.class).isEqualTo(0.5);
    assertThat(row).isEqualTo(Row.of(SCHEMA, 7L, "a", 0.5, false, TS));
  }

  @Test
  void allowsNulls() {
    Row row = Row.of(SCHEMA, null, null, null, null, null);

    assertThat(row.get("id")).isNull();
    assertThat(row.getInstant("ts")).isNull();
  }

  @Test
  void equalityCoversSchemaAndValues() {
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);
    Row same = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);
    Schema renamed = Schema.of(
        new Field("id", FieldType.LONG),
        new Field("label", FieldType.STRING),
        new Field("score", FieldType.DOUBLE),
        new Field("active", FieldType.BOOLEAN),
        new Field("ts", FieldType.TIMESTAMP));

    assertThat(row).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(row).isNotEqualTo(Row.of(SCHEMA, 1L, "b", 0.5, true, TS));
    assertThat(row).isNotEqualTo(Row.of(SCHEMA, 1L, null, 0.5, true, TS));
    assertThat(row).isNotEqualTo(Row.of(renamed, 1L, "a", 0.5, true, TS));
  }

  @Test
  void isNotChangedByLaterWritesToTheValueArray() {
    Object[] values = {1L, "a", 0.5, true, TS};
    Row row = Row.of(SCHEMA, values);

    values[1] = "changed";

    assertThat(row.getString("name")).isEqualTo("a");
  }

  @Test
  void asMapIsInSchemaOrderKeepsNullsAndIsReadOnly() {
    Row row = Row.of(SCHEMA, 1L, null, 0.5, true, TS);
    Map<String, Object> map = row.asMap();

    assertThat(map.keySet()).containsExactly("id", "name", "score", "active", "ts");
    assertThat(map).containsEntry("name", null).containsEntry("score", 0.5);
    assertThatThrownBy(() -> map.put("id", 2L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void fromMapPlacesValuesByNameAndLeavesAbsentColumnsNull() {
    Map<String, Object> values = new HashMap<>();
    values.put("ts", TS);
    values.put("id", 3);
    values.put("name", "c");

    Row row = Row.fromMap(SCHEMA, values);

    assertThat(row).isEqualTo(Row.of(SCHEMA, 3L, "c", null, null, TS));
    assertThat(Row.fromMap(SCHEMA, row.asMap())).isEqualTo(row);
  }

  @Test
  void fromMapRejectsAnUnknownColumnAndAWrongType() {
    assertThatThrownBy(() -> Row.fromMap(SCHEMA, Map.of("nope", 1L)))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'nope'");
    assertThatThrownBy(() -> Row.fromMap(SCHEMA, Map.of("active", "yes")))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'active'");
  }

  @Test
  void getByUnknownColumnThrowsNamingIt() {
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);

    assertThatThrownBy(() -> row.get("missing"))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'missing'");
    assertThatThrownBy(() -> row.getLong("missing")).isInstanceOf(InvalidValueException.class);
  }

  @Test
  void aTypedGetterOnAColumnOfAnotherTypeNamesTheColumnItsTypeTheSchemaAndTheRightGetter() {
    // Issue 17 point 7: was a ClassCastException naming no column.
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);

    assertThatThrownBy(() -> row.getLong("name"))
        .isInstanceOf(InvalidValueException.class)
        .hasMessage("getLong('name'): column 'name' is STRING, not LONG, in schema " + SCHEMA
            + "; use getString or get('name')");
    assertThatThrownBy(() -> row.getInstant("score")).isInstanceOf(BackfillException.class)
        .hasMessageContaining("'score' is DOUBLE").hasMessageContaining("getDouble");
  }

  @Test
  void aPositionOutsideTheRowNamesThePositionAndTheSchema() {
    // Issue 17 point 7: was an ArrayIndexOutOfBoundsException.
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);

    assertThatThrownBy(() -> row.get(99)).isInstanceOf(InvalidValueException.class)
        .hasMessage("position 99 is not in schema " + SCHEMA + " (positions 0 to 4)");
    assertThatThrownBy(() -> row.get(-1)).isInstanceOf(InvalidValueException.class).hasMessageContaining("-1");
  }

  @Test
  void anIntegerWidensIntoADoubleColumnAndALongOnlyWhenADoubleHoldsItExactly() {
    // Issue 17 point 13: Row.of refused 7 for a DOUBLE column. Widening, never narrowing.
    assertThat(Row.of(SCHEMA, 1L, "a", 7, true, TS).get("score")).isEqualTo(7.0);
    assertThat(Row.of(SCHEMA, 1L, "a", (short) 3, true, TS).get("score")).isEqualTo(3.0);
    assertThat(Row.of(SCHEMA, 1L, "a", 1L << 53, true, TS).get("score")).isEqualTo((double) (1L << 53));
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a", (1L << 53) + 1, true, TS))
        .isInstanceOf(InvalidValueException.class).hasMessageContaining("'score'").hasMessageContaining("exactly");
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a", Long.MAX_VALUE, true, TS)).isInstanceOf(InvalidValueException.class);
  }

  @Test
  void aNullColumnNameIsANullPointerExceptionNamingTheArgument() {
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);
    assertThatThrownBy(() -> row.get((String) null)).isInstanceOf(NullPointerException.class).hasMessage("column");
  }
}
