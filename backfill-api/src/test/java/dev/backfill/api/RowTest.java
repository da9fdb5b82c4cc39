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
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 values")
        .hasMessageContaining("5 columns");
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a", 0.5, true, TS, "extra"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsAValueOfTheWrongTypeNamingTheColumn() {
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, 42L, 0.5, true, TS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'name'")
        .hasMessageContaining("STRING");
    assertThatThrownBy(() -> Row.of(SCHEMA, 1L, "a", 0.5, true, "2024-01-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ts'");
    // Narrowing is not widening: a Double in a LONG column would lose information.
    assertThatThrownBy(() -> Row.of(SCHEMA, 1.0, "a", 0.5, true, TS))
        .isInstanceOf(IllegalArgumentException.class)
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
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'");
    assertThatThrownBy(() -> Row.fromMap(SCHEMA, Map.of("active", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'active'");
  }

  @Test
  void getByUnknownColumnThrowsNamingIt() {
    Row row = Row.of(SCHEMA, 1L, "a", 0.5, true, TS);

    assertThatThrownBy(() -> row.get("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'missing'");
    assertThatThrownBy(() -> row.getLong("missing")).isInstanceOf(IllegalArgumentException.class);
  }
}
