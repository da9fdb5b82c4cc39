package dev.backfill.rocksdb;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FieldType;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes the {@link EntityKey} of one table as RocksDB key bytes, typed by the table's key
 * columns, and back.
 *
 * <p>The encoding is deterministic and injective: two keys get the same bytes exactly when
 * they are {@link EntityKey#equals equal}. Parts carry no type tag (the key columns fix the
 * types); strings are length-prefixed, so no separator needs escaping; longs and timestamps
 * are fixed-width big-endian with the sign bit flipped, so they sort numerically; doubles
 * use {@link Double#doubleToLongBits}, which like {@link Double#equals} makes every NaN one key.
 * A key never holds -0.0 ({@link EntityKey} makes it 0.0, the one rule every store can keep), so
 * the bits of a zero are always 0.0's. Timestamps keep their nanoseconds, as
 * {@link Instant#equals} does.
 */
final class KeyCodec {
  private final String table;
  private final List<String> columns;
  private final FieldType[] types;

  /** A codec for the keys of the table. */
  KeyCodec(TableSpec spec) {
    this.table = spec.name();
    this.columns = spec.keyColumns();
    this.types = new FieldType[columns.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = spec.schema().field(columns.get(i)).orElseThrow().type();
    }
  }

  /**
   * The key's bytes.
   *
   * @throws IllegalArgumentException naming the key column when the key has the wrong number of
   *     parts or a part of the wrong type
   */
  byte[] encode(EntityKey key) {
    List<Object> parts = key.parts();
    if (parts.size() != types.length) {
      throw new IllegalArgumentException("table '" + table + "': key " + key + " has " + parts.size()
          + " part(s) but the table's key columns are " + columns + "; give one value per key column");
    }
    ByteSink sink = new ByteSink(16 * types.length);
    for (int i = 0; i < types.length; i++) {
      Object part = parts.get(i);
      if (!types[i].javaType().isInstance(part)) {
        throw new IllegalArgumentException("table '" + table + "': key column '" + columns.get(i) + "' is "
            + types[i] + " but key " + key + " has " + part.getClass().getSimpleName() + " " + part
            + " there; give a " + types[i].javaType().getSimpleName());
      }
      switch (types[i]) {
        case STRING -> sink.writeString((String) part);
        case LONG -> sink.writeFixedLong((Long) part ^ Long.MIN_VALUE);
        case DOUBLE -> sink.writeFixedLong(Double.doubleToLongBits((Double) part));
        case BOOLEAN -> sink.writeByte((Boolean) part ? 1 : 0);
        case TIMESTAMP -> {
          Instant instant = (Instant) part;
          sink.writeFixedLong(instant.getEpochSecond() ^ Long.MIN_VALUE);
          sink.writeFixedInt(instant.getNano());
        }
        default -> throw new AssertionError(types[i]);
      }
    }
    return sink.toByteArray();
  }

  /**
   * The key these bytes encode, with parts of the key columns' Java types.
   *
   * @throws IllegalArgumentException when the bytes are not a key of this table
   */
  EntityKey decode(byte[] bytes) {
    ByteSource source = new ByteSource(bytes);
    List<Object> parts = new ArrayList<>(types.length);
    for (FieldType type : types) {
      parts.add(switch (type) {
        case STRING -> source.readString();
        case LONG -> source.readFixedLong() ^ Long.MIN_VALUE;
        case DOUBLE -> Double.longBitsToDouble(source.readFixedLong());
        case BOOLEAN -> readBoolean(source);
        case TIMESTAMP -> Instant.ofEpochSecond(source.readFixedLong() ^ Long.MIN_VALUE, source.readFixedInt());
      });
    }
    if (!source.isExhausted()) {
      throw new IllegalArgumentException("table '" + table + "': " + (bytes.length - source.position())
          + " trailing byte(s) after a key of columns " + columns);
    }
    return new EntityKey(parts);
  }

  private static boolean readBoolean(ByteSource source) {
    int b = source.readByte();
    if (b > 1) {
      throw new IllegalArgumentException("boolean byte " + b + " is neither 0 nor 1");
    }
    return b == 1;
  }
}
