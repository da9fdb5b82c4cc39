package dev.backfill.core;

import dev.backfill.api.EntityKey;
import dev.backfill.api.FieldType;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An entity key as text for the job history (a recovery's cursor), and back, exactly: every part
 * is written by its type's {@code toString} ({@link Double#toString} round-trips every double,
 * NaN and -0.0 included) and read by the key column's type.
 */
final class KeyText {
  private KeyText() {}

  static List<String> write(EntityKey key) {
    List<String> parts = new ArrayList<>(key.parts().size());
    for (Object part : key.parts()) {
      parts.add(String.valueOf(part));
    }
    return parts;
  }

  /**
   * @throws IllegalArgumentException when the text does not fit the table's key columns (a
   *     record of another definition of the feature set)
   */
  static EntityKey read(List<String> parts, TableSpec table) {
    if (parts.size() != table.keyColumns().size()) {
      throw new IllegalArgumentException("key " + parts + " has " + parts.size() + " parts; the key columns of '"
          + table.name() + "' are " + table.keyColumns());
    }
    Object[] values = new Object[parts.size()];
    for (int i = 0; i < values.length; i++) {
      FieldType type = table.schema().field(table.keyColumns().get(i)).orElseThrow().type();
      String text = parts.get(i);
      values[i] = switch (type) {
        case STRING -> text;
        case LONG -> Long.parseLong(text);
        case DOUBLE -> Double.parseDouble(text);
        case BOOLEAN -> Boolean.parseBoolean(text);
        case TIMESTAMP -> Instant.parse(text);
      };
    }
    return EntityKey.of(values);
  }
}
