package dev.backfill.api;

import java.util.Objects;

/** A named, typed column. */
public record Field(String name, FieldType type) {
  public Field {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (name.isBlank()) {
      throw new IllegalArgumentException("field name must not be blank");
    }
  }

  @Override
  public String toString() {
    return name + " " + type;
  }
}
