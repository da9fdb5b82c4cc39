package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaTest {
  private static final Field ID = new Field("id", FieldType.LONG);
  private static final Field NAME = new Field("name", FieldType.STRING);

  @Test
  void rejectsDuplicateNamesEvenWithDifferentTypes() {
    assertThatThrownBy(() -> Schema.of(ID, NAME, new Field("id", FieldType.STRING)))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("'id'");
  }

  @Test
  void looksUpColumnsByName() {
    Schema schema = Schema.of(ID, NAME);

    assertThat(schema.indexOf("id")).isZero();
    assertThat(schema.indexOf("name")).isEqualTo(1);
    assertThat(schema.indexOf("absent")).isEqualTo(-1);
    assertThat(schema.field("name")).contains(NAME);
    assertThat(schema.field("absent")).isEmpty();
    assertThat(schema.names()).containsExactly("id", "name");
    assertThat(schema.size()).isEqualTo(2);
  }

  @Test
  void isACopyOfTheGivenList() {
    List<Field> fields = new ArrayList<>(List.of(ID));
    Schema schema = Schema.of(fields);

    fields.add(NAME);

    assertThat(schema.names()).containsExactly("id");
  }

  @Test
  void equalityFollowsFieldsInOrder() {
    assertThat(Schema.of(ID, NAME)).isEqualTo(Schema.of(List.of(ID, NAME)))
        .hasSameHashCodeAs(Schema.of(ID, NAME));
    assertThat(Schema.of(ID, NAME)).isNotEqualTo(Schema.of(NAME, ID));
    assertThat(Schema.of(ID)).isNotEqualTo(Schema.of(new Field("id", FieldType.DOUBLE)));
  }

  @Test
  void fieldRejectsBlankNames() {
    assertThatThrownBy(() -> new Field(" ", FieldType.LONG)).isInstanceOf(InvalidValueException.class);
  }
}
