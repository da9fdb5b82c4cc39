package dev.backfill.api;

import java.util.Objects;

/** A named, typed column. A blank name is an {@link InvalidValueException}. */
public record Field(String name, FieldType type) implements java.io.Serializable {
  public Field {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (name.isBlank()) {
      throw new InvalidValueException("field name '" + name + "' is blank; give a column name");
    }
  }

  @Override
  public String toString() {
    return name + " " + type;
  }
}
