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
  void negativeZeroAndZeroAreOneKeyAndEveryNanIsOneKey() {
    // Issue 17 point 1: DuckDB treats -0.0 and 0.0 as one key, Java and RocksDB as two.
    assertThat(EntityKey.of(-0.0)).isEqualTo(EntityKey.of(0.0)).hasSameHashCodeAs(EntityKey.of(0.0));
    assertThat(Double.doubleToRawLongBits((Double) EntityKey.of(-0.0).parts().get(0))).isZero();
    assertThat(Double.doubleToRawLongBits((Double) EntityKey.of(-0.0f).parts().get(0))).isZero();
    double otherNan = Double.longBitsToDouble(0xfff8000000000001L);
    assertThat(Double.isNaN(otherNan)).isTrue();
    assertThat(Double.doubleToRawLongBits((Double) EntityKey.of("a", otherNan).parts().get(1)))
        .isEqualTo(Double.doubleToRawLongBits(Double.NaN));
    assertThat(EntityKey.of(1.5, -2.0).parts()).containsExactly(1.5, -2.0);
    Double plain = 3.0;
    assertThat(EntityKey.normaliseDouble(plain)).isSameAs(plain);
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
    assertThatThrownBy(() -> EntityKey.of("a", null)).isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("part 1");
    assertThatThrownBy(() -> EntityKey.of()).isInstanceOf(InvalidValueException.class);
    assertThatThrownBy(() -> new EntityKey(List.of())).isInstanceOf(InvalidValueException.class);
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
