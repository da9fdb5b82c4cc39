package dev.backfill.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Schema;
import dev.backfill.spi.TableSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecCodecTest {
  @Test
  void specsRoundTripToEqualSpecs() {
    TableSpec unicode = new TableSpec("fëature/set 😀", Schema.of(new Field("ключ", FieldType.STRING),
        new Field("ts", FieldType.TIMESTAMP), new Field("t2", FieldType.TIMESTAMP)), List.of("ключ"), "t2");
    for (TableSpec spec : List.of(Fixtures.clicks(), Fixtures.everyKeyType(), unicode)) {
      assertThat(SpecCodec.decode(SpecCodec.encode(spec))).isEqualTo(spec);
    }
  }

  @Test
  void bytesOfAnotherFormatAreRejected() {
    byte[] bytes = SpecCodec.encode(Fixtures.clicks());
    bytes[0] = 7;
    assertThatThrownBy(() -> SpecCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format 7");
  }
}
