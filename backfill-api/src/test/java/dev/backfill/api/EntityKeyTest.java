package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityKeyTest {

  @Test
  void normalisesIntegersToLongsLikeRowValues() {
    assertThat(EntityKey.of(7)).isEqualTo(EntityKey.of(7L)).hasSameHashCodeAs(EntityKey.of(7L));
    assertThat(EntityKey.of((short) 7)).isEqualTo(EntityKey.of(7L));
    assertThat(EntityKey.of(7).parts().get(0)).isInstanceOf(Long.class);
  }

  @Test
  void normalisesFloatsToDoubles() {
    assertThat(EntityKey.of(1.5f)).isEqualTo(EntityKey.of(1.5));
  }

  @Test
  void matchesTheKeyOfARowWithALongKey() {
    Schema schema = Schema.of(new Field("id", FieldType.LONG));
    Row row = Row.of(schema, 7);

    assertThat(EntityKey.of(row.get("id"))).isEqualTo(EntityKey.of(7));
  }

  @Test
  void comparesPartsInOrder() {
    assertThat(EntityKey.of("a", 1L)).isEqualTo(EntityKey.of("a", 1));
    assertThat(EntityKey.of("a", 1L)).isNotEqualTo(EntityKey.of(1L, "a"));
    assertThat(EntityKey.of("a", 1L)).isNotEqualTo(EntityKey.of("a"));
  }

  @Test
  void rejectsNullPartsAndEmptyKeys() {
    assertThatThrownBy(() -> EntityKey.of("a", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EntityKey.of()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EntityKey(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EntityKey(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void partsAreAnImmutableCopy() {
    List<Object> parts = new ArrayList<>(List.of("a"));
    EntityKey key = new EntityKey(parts);

    parts.set(0, "b");

    assertThat(key.parts()).containsExactly("a");
    assertThatThrownBy(() -> key.parts().add("c")).isInstanceOf(UnsupportedOperationException.class);
  }
}
