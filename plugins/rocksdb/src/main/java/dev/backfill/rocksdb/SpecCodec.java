package dev.backfill.rocksdb;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Schema;
import dev.backfill.spi.TableSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a {@link TableSpec} for the store's metadata, so that a reopened store knows each
 * table's schema, key columns and event-time column. Types are stored by name, not ordinal, so
 * that reordering {@link FieldType} constants cannot silently change a persisted schema.
 */
final class SpecCodec {
  private static final int FORMAT = 1;

  private SpecCodec() {}

  static byte[] encode(TableSpec spec) {
    ByteSink sink = new ByteSink(64);
    sink.writeByte(FORMAT);
    sink.writeString(spec.name());
    sink.writeVarLong(spec.schema().size());
    for (Field field : spec.schema().fields()) {
      sink.writeString(field.name());
      sink.writeString(field.type().name());
    }
    sink.writeVarLong(spec.keyColumns().size());
    for (String key : spec.keyColumns()) {
      sink.writeString(key);
    }
    sink.writeString(spec.eventTimeColumn());
    return sink.toByteArray();
  }

  /** @throws IllegalArgumentException when the bytes are not a spec this version wrote */
  static TableSpec decode(byte[] bytes) {
    ByteSource source = new ByteSource(bytes);
    int format = source.readByte();
    if (format != FORMAT) {
      throw new IllegalArgumentException("table spec format " + format + " is not the supported format " + FORMAT);
    }
    String name = source.readString();
    int fieldCount = (int) source.readVarLong();
    List<Field> fields = new ArrayList<>(Math.min(fieldCount, 1024));
    for (int i = 0; i < fieldCount; i++) {
      fields.add(new Field(source.readString(), FieldType.valueOf(source.readString())));
    }
    int keyCount = (int) source.readVarLong();
    List<String> keys = new ArrayList<>(Math.min(keyCount, 1024));
    for (int i = 0; i < keyCount; i++) {
      keys.add(source.readString());
    }
    String eventTime = source.readString();
    if (!source.isExhausted()) {
      throw new IllegalArgumentException("trailing bytes after the spec of table '" + name + "'");
    }
    return new TableSpec(name, Schema.of(fields), keys, eventTime);
  }
}
