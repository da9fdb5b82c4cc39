package dev.backfill.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowCodecTest {
  private final Schema schema = Fixtures.everyKeyType().schema();
  private final RowCodec codec = new RowCodec(schema);

  private List<Row> edgeRows() {
    Instant micros = Instant.parse("2024-03-01T12:34:56.123456Z");
    Instant preEpoch = Instant.parse("1969-12-31T23:59:59.999999Z");
    List<Row> rows = new ArrayList<>();
    rows.add(Row.of(schema, "k", 1L, 1.0, true, micros, micros, "plain", 42L, 3.25, true, micros));
    rows.add(Row.of(schema, "", Long.MIN_VALUE, -0.0, false, preEpoch, preEpoch, "", Long.MIN_VALUE, -0.0, false, preEpoch));
    rows.add(Row.of(schema, "😀", Long.MAX_VALUE, Double.NaN, true, Instant.MIN, Instant.MAX, "ünïcødé ✓ 😀 \"q\" \\ \n\t",
        Long.MAX_VALUE, Double.NaN, true, Instant.MIN));
    rows.add(Row.of(schema, "inf", -1L, Double.POSITIVE_INFINITY, false, Instant.EPOCH, Instant.EPOCH, "x".repeat(100_000),
        -1L, Double.NEGATIVE_INFINITY, false, Instant.parse("2199-12-31T23:59:59.999999Z")));
    rows.add(Row.of(schema, "lone \uD800 surrogate", 0L, Double.MIN_VALUE, true, Instant.EPOCH, Instant.EPOCH,
        "\uDC00 lone low", 0L, Double.MAX_VALUE, true, Instant.ofEpochSecond(-1, 1)));
    // Every feature null: nulls are distinct from empty strings, zero and false.
    rows.add(Row.of(schema, "nulls", 0L, 0.0, false, Instant.EPOCH, Instant.EPOCH, null, null, null, null, null));
    return rows;
  }

  @Test
  void everyRowRoundTripsToAnEqualRowWithTheColumnClasses() {
    for (Row row : edgeRows()) {
      Row decoded = codec.decode(codec.encode(row));
      assertThat(decoded).isEqualTo(row);
      for (int i = 0; i < schema.size(); i++) {
        if (row.get(i) == null) {
          assertThat(decoded.get(i)).isNull();
        } else {
          assertThat(decoded.get(i)).isExactlyInstanceOf(row.get(i).getClass());
        }
      }
    }
  }

  @Test
  void doublesKeepTheirExactBitsIncludingNegativeZeroAndNanPayloads() {
    double payloadNan = Double.longBitsToDouble(0x7ff8000000000123L);
    Row row = Row.of(schema, "k", 1L, 1.0, true, Instant.EPOCH, Instant.EPOCH, null, null, payloadNan, null, null);
    Row decoded = codec.decode(codec.encode(row));
    assertThat(Double.doubleToRawLongBits(decoded.getDouble("fd"))).isEqualTo(0x7ff8000000000123L);
    Row negativeZero = Row.of(schema, "k", 1L, -0.0, true, Instant.EPOCH, Instant.EPOCH, null, null, -0.0, null, null);
    assertThat(Double.doubleToRawLongBits(codec.decode(codec.encode(negativeZero)).getDouble("fd")))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void instantsKeepEveryNanosecond() {
    Instant nanos = Instant.parse("1969-12-31T23:59:59.000000001Z");
    Row row = Row.of(schema, "k", 1L, 1.0, true, nanos, nanos, null, null, null, null, nanos);
    assertThat(codec.decode(codec.encode(row)).getInstant("ft")).isEqualTo(nanos);
  }

  @Test
  void encodingIsCompact() {
    Row row = Row.of(schema, "user-1", 7L, 1.5, true, Instant.parse("2024-03-01T12:00:00Z"),
        Instant.parse("2024-03-01T12:00:00.123456Z"), "v", 3L, null, null, null);
    // Format, count, 2-byte null bitmap, then values: far below a textual encoding.
    assertThat(codec.encode(row).length).isLessThan(60);
  }

  @Test
  void aRowOfAnotherSchemaIsRejected() {
    Row click = Fixtures.click("u", Instant.EPOCH, 1);
    assertThatThrownBy(() -> codec.encode(click)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema");
  }

  @Test
  void corruptOrForeignBytesAreRejectedNotMisread() {
    byte[] valid = codec.encode(edgeRows().get(0));
    byte[] otherFormat = valid.clone();
    otherFormat[0] = 9;
    assertThatThrownBy(() -> codec.decode(otherFormat)).hasMessageContaining("format 9");
    byte[] clickBytes = new RowCodec(Fixtures.clicks().schema()).encode(Fixtures.click("u", Instant.EPOCH, 1));
    assertThatThrownBy(() -> codec.decode(clickBytes)).hasMessageContaining("4 columns");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(valid, valid.length - 1))).hasMessageContaining("truncated");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(valid, valid.length + 2))).hasMessageContaining("trailing");
  }
}
