package dev.backfill.cli;

import dev.backfill.api.Field;
import dev.backfill.spi.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What differs between the columns a store holds for a feature set and those the configuration
 * declares, in the configuration's words: {@code column 'trips' changed from long to double},
 * {@code column 'x' (double) is new}, {@code key columns changed from [a] to [a, b]}.
 */
final class SchemaChange {
  private SchemaChange() {}

  /** Every difference, joined by {@code "; "}; empty when the specs are the same. */
  static String describe(TableSpec stored, TableSpec declared) {
    List<String> changes = new ArrayList<>();
    for (Field field : stored.schema().fields()) {
      Optional<Field> now = declared.schema().field(field.name());
      if (now.isEmpty()) {
        changes.add("column '" + field.name() + "' (" + type(field) + ") is no longer declared");
      } else if (now.get().type() != field.type()) {
        changes.add("column '" + field.name() + "' changed from " + type(field) + " to " + type(now.get()));
      }
    }
    for (Field field : declared.schema().fields()) {
      if (stored.schema().field(field.name()).isEmpty()) {
        changes.add("column '" + field.name() + "' (" + type(field) + ") is new");
      }
    }
    if (!stored.keyColumns().equals(declared.keyColumns())) {
      changes.add("key columns changed from " + stored.keyColumns() + " to " + declared.keyColumns());
    }
    if (!stored.eventTimeColumn().equals(declared.eventTimeColumn())) {
      changes.add("event-time column changed from '" + stored.eventTimeColumn() + "' to '" + declared.eventTimeColumn() + "'");
    }
    if (changes.isEmpty() && !stored.schema().names().equals(declared.schema().names())) {
      changes.add("the columns are in another order: " + stored.schema().names() + " stored, " + declared.schema().names()
          + " declared");
    }
    return String.join("; ", changes);
  }

  private static String type(Field field) {
    return field.type().name().toLowerCase(Locale.ROOT);
  }
}
