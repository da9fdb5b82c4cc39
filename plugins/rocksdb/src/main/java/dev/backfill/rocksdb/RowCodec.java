package dev.backfill.rocksdb;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.util.List;

/**
 * Encodes a whole {@link Row} of one schema as a RocksDB value, and back to an equal row.
 *
 * <p>Layout: a format byte ({@value #FORMAT}), the column count (varint), a null bitmap (one
 * bit per column, schema order), then the non-null values in schema order: strings
 * length-prefixed UTF-8 (see {@link ByteSink#writeString}), longs as zigzag varints, doubles as
 * their 8 raw IEEE bits (NaN payloads and -0.0 kept), booleans as one byte, timestamps as
 * zigzag seconds plus nanoseconds (exact, finer than the microseconds the contract asks for).
 * The event time is a column like any other, so every stored value carries it. Column names
 * are not stored: the table's persisted spec gives them, which keeps values small.
 */
final class RowCodec {
  /** Bumped when the layout changes, so that an old value is reported instead of misread. */
  static final int FORMAT = 1;

  private final Schema schema;
  private final FieldType[] types;

  /** A codec for rows of the schema. */
  RowCodec(Schema schema) {
    this.schema = schema;
    List<Field> fields = schema.fields();
    this.types = new FieldType[fields.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = fields.get(i).type();
    }
  }

  /**
   * The row's bytes.
   *
   * @throws IllegalArgumentException when the row has another schema
   */
  byte[] encode(Row row) {
    if (!row.schema().equals(schema)) {
      throw new IllegalArgumentException("row schema " + row.schema() + " differs from the table's " + schema);
    }
    int n = types.length;
    ByteSink sink = new ByteSink(16 + 12 * n);
    sink.writeByte(FORMAT);
    sink.writeVarLong(n);
    byte[] nulls = new byte[(n + 7) / 8];
    for (int i = 0; i < n; i++) {
      if (row.get(i) == null) {
        nulls[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    sink.writeBytes(nulls);
    for (int i = 0; i < n; i++) {
      Object value = row.get(i);
      if (value == null) {
        continue;
      }
      switch (types[i]) {
        case STRING -> sink.writeString((String) value);
        case LONG -> sink.writeZigZagLong((Long) value);
        case DOUBLE -> sink.writeFixedLong(Double.doubleToRawLongBits((Double) value));
        case BOOLEAN -> sink.writeByte((Boolean) value ? 1 : 0);
        case TIMESTAMP -> sink.writeInstant((Instant) value);
        default -> throw new AssertionError(types[i]);
      }
    }
    return sink.toByteArray();
  }

  /**
   * The row these bytes encode.
   *
   * @throws IllegalArgumentException when the bytes are not a row of this schema (another
   *     format, column count, or truncated)
   */
  Row decode(byte[] bytes) {
    ByteSource source = new ByteSource(bytes);
    int format = source.readByte();
    if (format != FORMAT) {
      throw new IllegalArgumentException("value format " + format + " is not the supported format " + FORMAT);
    }
    long n = source.readVarLong();
    if (n != types.length) {
      throw new IllegalArgumentException("value has " + n + " columns but schema " + schema + " has " + types.length);
    }
    byte[] nulls = new byte[(types.length + 7) / 8];
    for (int i = 0; i < nulls.length; i++) {
      nulls[i] = (byte) source.readByte();
    }
    Object[] values = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      if ((nulls[i >>> 3] & (1 << (i & 7))) != 0) {
        continue;
      }
      values[i] = switch (types[i]) {
        case STRING -> source.readString();
        case LONG -> source.readZigZagLong();
        case DOUBLE -> Double.longBitsToDouble(source.readFixedLong());
        case BOOLEAN -> source.readByte() != 0;
        case TIMESTAMP -> source.readInstant();
      };
    }
    if (!source.isExhausted()) {
      throw new IllegalArgumentException((bytes.length - source.position()) + " trailing byte(s) after a row of " + schema);
    }
    return Row.of(schema, values);
  }
}
