package dev.backfill.redis;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.spi.TableSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open layout of online rows in Redis, which serving applications read without this library.
 *
 * <p>One hash per feature set and entity key, named {@code <namespace>:<feature set>:{<key>}}.
 * {@code <key>} is the entity key's parts in key-column order, separated by {@code :}, each as
 * text (below), with {@code %}, {@code :}, <code>{</code> and <code>}</code> in strings written
 * as {@code %25}, {@code %3A}, {@code %7B}, {@code %7D}. The braces make the key a Redis Cluster
 * hash tag: every feature set of one entity lives in one slot, and entities spread over all.
 *
 * <p>Fields: one per feature column that is not null, named after the column; the event time in
 * {@value #EVENT_TIME_FIELD} (a name no column can have). Values as text: decimal longs, doubles
 * as Java writes them ({@code 3.25}, {@code 1.0E10}, {@code -0.0}, {@code NaN},
 * {@code Infinity}, {@code -Infinity}), {@code true}/{@code false}, timestamps as epoch
 * microseconds, strings as UTF-8. Key columns are not repeated as fields: they are in the name.
 *
 * <p>The store's own bookkeeping is the hash {@code <namespace>:_tables} (one field per feature
 * set, its spec as text), which no row key can be mistaken for (it has one {@code :}).
 */
final class RedisLayout {
  /** The reserved field of the event time, in epoch microseconds. */
  static final String EVENT_TIME_FIELD = "@event_time";
  private static final String DROPPING = "dropping ";

  private final String namespace;
  /** Per table spec, worked out once rather than for every row written. */
  private final Map<TableSpec, Columns> columns = new java.util.concurrent.ConcurrentHashMap<>();
  /** The last table's columns: a batch writes one table, so its rows need not hash the spec. */
  private volatile Columns lastColumns;

  RedisLayout(String namespace) {
    this.namespace = namespace;
  }

  String namespace() {
    return namespace;
  }

  /** The hash of table specs. */
  String tablesKey() {
    return namespace + ":_tables";
  }

  /** The key prefix of a table's rows, up to and including the hash tag's brace. */
  String rowPrefix(String table) {
    return namespace + ":" + table + ":{";
  }

  /** A SCAN pattern matching exactly the row keys of a table. */
  String rowPattern(String table) {
    return rowPrefix(table) + "*";
  }

  /** A SCAN pattern matching every key under a table's name, of this layout or not. */
  String anyKeyPattern(String table) {
    return namespace + ":" + table + ":*";
  }

  /** The Redis key of a row. */
  String rowKey(TableSpec table, EntityKey key) {
    StringBuilder out = new StringBuilder(rowPrefix(table.name()));
    List<Object> parts = key.parts();
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        out.append(':');
      }
      escape(valueText(parts.get(i)), out);
    }
    return out.append('}').toString();
  }

  /** The entity key of a row key of the table. */
  EntityKey entityKey(TableSpec table, String rowKey) {
    String prefix = rowPrefix(table.name());
    if (!rowKey.startsWith(prefix) || !rowKey.endsWith("}")) {
      throw foreign(rowKey, "is not named " + prefix + "<key>}");
    }
    String[] texts = rowKey.substring(prefix.length(), rowKey.length() - 1).split(":", -1);
    if (texts.length != table.keyColumns().size()) {
      throw foreign(rowKey, "has " + texts.length + " key part(s), the table " + table.keyColumns().size());
    }
    Object[] parts = new Object[texts.length];
    for (int i = 0; i < texts.length; i++) {
      Field column = table.schema().field(table.keyColumns().get(i)).orElseThrow();
      parts[i] = parse(column, unescape(texts[i], rowKey), rowKey);
    }
    return EntityKey.of(parts);
  }

  /** A row's fields: the event time and each non-null feature. */
  Map<String, String> fields(TableSpec table, Row row) {
    List<String> pairs = new ArrayList<>();
    appendFields(table, row, pairs);
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i += 2) {
      fields.put(pairs.get(i), pairs.get(i + 1));
    }
    return fields;
  }

  /**
   * Appends a row's fields to {@code out} as name, value, name, value..., the event time first:
   * what a script's arguments carry, without a map per row.
   *
   * @return how many fields were appended
   */
  int appendFields(TableSpec table, Row row, List<String> out) {
    out.add(EVENT_TIME_FIELD);
    out.add(valueText(table.eventTimeOf(row)));
    int count = 1;
    List<String> names = fieldNames(table);
    int[] columns = featureColumns(table);
    for (int f = 0; f < columns.length; f++) {
      Object value = row.get(columns[f]);
      if (value != null) {
        out.add(names.get(f + 1));
        out.add(valueText(value));
        count++;
      }
    }
    return count;
  }

  /**
   * The names of a table's fields: {@value #EVENT_TIME_FIELD}, then the feature columns in
   * schema order. The order of {@link #appendMasked}.
   */
  List<String> fieldNames(TableSpec table) {
    return columnsOf(table).names();
  }

  /**
   * Appends a row as {@code reconcile.lua} reads it, without repeating the field names: a mask
   * over {@link #fieldNames} ({@code 1} present, {@code 0} a null feature), then the present
   * values in that order.
   */
  void appendMasked(TableSpec table, Row row, List<String> out) {
    int[] columns = featureColumns(table);
    char[] mask = new char[columns.length + 1];
    int maskAt = out.size();
    out.add(null);
    mask[0] = '1';
    out.add(valueText(table.eventTimeOf(row)));
    for (int f = 0; f < columns.length; f++) {
      Object value = row.get(columns[f]);
      mask[f + 1] = value == null ? '0' : '1';
      if (value != null) {
        out.add(valueText(value));
      }
    }
    out.set(maskAt, new String(mask));
  }

  private int[] featureColumns(TableSpec table) {
    return columnsOf(table).indexes();
  }

  /** A table's feature columns: their indexes in the schema, and the field names with the event time first. */
  private record Columns(TableSpec spec, int[] indexes, List<String> names) {}

  private Columns columnsOf(TableSpec table) {
    Columns recent = lastColumns;
    if (recent != null && recent.spec() == table) {
      return recent;
    }
    recent = columns.computeIfAbsent(table, t -> {
      List<Integer> indexes = new ArrayList<>();
      List<String> names = new ArrayList<>(List.of(EVENT_TIME_FIELD));
      for (int i = 0; i < t.schema().size(); i++) {
        String name = t.schema().fields().get(i).name();
        if (!name.equals(t.eventTimeColumn()) && !t.keyColumns().contains(name)) {
          indexes.add(i);
          names.add(name);
        }
      }
      return new Columns(t, indexes.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(names));
    });
    lastColumns = recent;
    return recent;
  }

  /** The row of a key from the fields of its hash. */
  Row row(TableSpec table, EntityKey key, String rowKey, Map<String, String> fields) {
    String eventTime = fields.get(EVENT_TIME_FIELD);
    if (eventTime == null) {
      throw foreign(rowKey, "has no field " + EVENT_TIME_FIELD);
    }
    Schema schema = table.schema();
    Object[] values = new Object[schema.size()];
    int known = 1;
    for (int i = 0; i < schema.size(); i++) {
      Field column = schema.fields().get(i);
      int keyIndex = table.keyColumns().indexOf(column.name());
      if (keyIndex >= 0) {
        values[i] = key.parts().get(keyIndex);
      } else if (column.name().equals(table.eventTimeColumn())) {
        values[i] = parse(column, eventTime, rowKey);
      } else {
        String text = fields.get(column.name());
        if (text != null) {
          values[i] = parse(column, text, rowKey);
          known++;
        }
      }
    }
    if (known != fields.size()) {
      List<String> unknown = new ArrayList<>(fields.keySet());
      unknown.removeIf(f -> f.equals(EVENT_TIME_FIELD) || schema.indexOf(f) >= 0);
      throw foreign(rowKey, "has field(s) " + unknown + " that table '" + table.name() + "' does not have");
    }
    return Row.of(schema, values);
  }

  /** A table's spec as the text kept in {@link #tablesKey()}. */
  static String specText(TableSpec table) {
    StringBuilder out = new StringBuilder("schema=");
    for (Field field : table.schema().fields()) {
      out.append(field.name()).append(' ').append(field.type()).append(',');
    }
    out.setLength(out.length() - 1);
    return out.append(";keys=").append(String.join(",", table.keyColumns()))
        .append(";event-time=").append(table.eventTimeColumn()).toString();
  }

  /** The spec of a table from its text; {@code where} names the hash and field for errors. */
  static TableSpec spec(String name, String text, String where) {
    try {
      String[] parts = text.split(";");
      List<Field> fields = new ArrayList<>();
      for (String field : parts[0].substring("schema=".length()).split(",")) {
        String[] nameType = field.split(" ");
        fields.add(new Field(nameType[0], FieldType.valueOf(nameType[1])));
      }
      return new TableSpec(name, Schema.of(fields), List.of(parts[1].substring("keys=".length()).split(",")),
          parts[2].substring("event-time=".length()));
    } catch (RuntimeException e) {
      throw new StoreException(where + " holds '" + text + "', which is not a table spec of this layout (" + e
          + "); is another program using this namespace? Use another namespace or remove the field");
    }
  }

  /** The registry value of a table whose drop began and may not have finished. */
  static String droppingText(String specText) {
    return DROPPING + specText;
  }

  static boolean isDropping(String registryText) {
    return registryText.startsWith(DROPPING);
  }

  static String valueText(Object value) {
    if (value instanceof Instant t) {
      long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
      return Long.toString(micros);
    }
    return value.toString();
  }

  /** Epoch microseconds of an instant, rounded up: {@code stored < fence} iff {@code micros(stored) < ceilMicros(fence)}. */
  static String ceilMicrosText(Instant t) {
    long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    return Long.toString(t.getNano() % 1_000 == 0 ? micros : micros + 1);
  }

  private static Object parse(Field column, String text, String rowKey) {
    try {
      return switch (column.type()) {
        case STRING -> text;
        case LONG -> Long.parseLong(text);
        case DOUBLE -> Double.parseDouble(text);
        case BOOLEAN -> {
          if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("not true or false");
          }
          yield Boolean.parseBoolean(text);
        }
        case TIMESTAMP -> {
          long micros = Long.parseLong(text);
          yield Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
      };
    } catch (IllegalArgumentException e) {
      throw foreign(rowKey, "holds '" + text + "' for column '" + column.name() + "', not a " + column.type()
          + " of this layout");
    }
  }

  private static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case ':' -> out.append("%3A");
        case '{' -> out.append("%7B");
        case '}' -> out.append("%7D");
        default -> out.append(c);
      }
    }
  }

  private static String unescape(String text, String rowKey) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      if (utf8[i] == '%') {
        if (i + 2 >= utf8.length) {
          throw foreign(rowKey, "ends in an incomplete %-escape");
        }
        bytes.write(Integer.parseInt(new String(utf8, i + 1, 2, StandardCharsets.US_ASCII), 16));
        i += 2;
      } else {
        bytes.write(utf8[i]);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  static StoreException foreign(String rowKey, String what) {
    return new StoreException("Redis key '" + rowKey + "' " + what + ": it is not a row of this store's layout;"
        + " is another program writing under this namespace? Use another namespace, or remove the key");
  }
}
