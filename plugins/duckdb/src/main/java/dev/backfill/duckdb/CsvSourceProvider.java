package dev.backfill.duckdb;

import dev.backfill.api.FieldType;
import dev.backfill.duckdb.internal.PluginOptions;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.DataSourceProvider;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Plugin type {@code csv}: a {@link DuckDbFileSource#csv}. Options {@code path},
 * {@code time-column}, optional {@code types} ({@code "day: timestamp, trips: long"}: column types
 * that replace what DuckDB detects, needed for a file with no rows to detect them from).
 */
public final class CsvSourceProvider implements DataSourceProvider {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();
  private static final String TYPE_NAMES = Arrays.stream(FieldType.values())
      .map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));

  static {
    OPTIONS.put("path", "a CSV file with a header row");
    OPTIONS.put("time-column", "its event-time column, a timestamp or date");
    OPTIONS.put("types", "optional column types instead of DuckDB's detection, such as 'day: timestamp, trips: long'");
  }

  @Override
  public String type() {
    return "csv";
  }

  @Override
  public DataSource create(Map<String, String> options) {
    PluginOptions checked = new PluginOptions(options, OPTIONS, Set.of("path", "time-column"));
    return DuckDbFileSource.csv(Path.of(checked.required("path")), checked.required("time-column"),
        checked.optional("types").map(CsvSourceProvider::types).orElse(Map.of()));
  }

  /**
   * Parses {@code "day: timestamp, trips: long"} (or {@code =} instead of {@code :}) into
   * column types, in order.
   *
   * @throws IllegalArgumentException naming the option, the pair at fault and the valid types
   */
  static Map<String, FieldType> types(String option) {
    Map<String, FieldType> types = new LinkedHashMap<>();
    for (String pair : option.split(",")) {
      String[] parts = pair.split("[:=]", 2);
      String column = parts[0].strip();
      if (parts.length != 2 || column.isEmpty()) {
        throw new IllegalArgumentException("option types '" + option + "': '" + pair.strip() + "' is not 'column: type'; "
            + "write the columns as 'day: timestamp, trips: long' with the types " + TYPE_NAMES);
      }
      String type = parts[1].strip();
      try {
        if (types.put(column, FieldType.valueOf(type.toUpperCase(Locale.ROOT))) != null) {
          throw new IllegalArgumentException("option types '" + option + "': column '" + column + "' appears twice");
        }
      } catch (IllegalArgumentException e) {
        if (e.getMessage().startsWith("option types")) {
          throw e;
        }
        throw new IllegalArgumentException("option types '" + option + "': '" + type + "' (column '" + column
            + "') is not a type; valid types: " + TYPE_NAMES, e);
      }
    }
    return types;
  }
}
