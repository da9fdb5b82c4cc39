package dev.backfill.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An ordered list of uniquely named fields. Immutable. A duplicate column name is an
 * {@link InvalidValueException}. Names are compared exactly; a feature set also refuses names
 * that differ only in case ({@link FeatureSet.Builder#build()}), which SQL stores cannot tell apart.
 */
public final class Schema implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final List<Field> fields;
  private final List<String> names;
  private final Map<String, Integer> indexByName;

  private Schema(List<Field> fields) {
    this.fields = List.copyOf(fields);
    this.names = this.fields.stream().map(Field::name).toList();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < this.fields.size(); i++) {
      if (index.put(this.fields.get(i).name(), i) != null) {
        throw new InvalidValueException("duplicate column '" + this.fields.get(i).name()
            + "' in schema " + this.fields);
      }
    }
    this.indexByName = Map.copyOf(index);
  }

  public static Schema of(Field... fields) {
    return new Schema(List.of(fields));
  }

  public static Schema of(List<Field> fields) {
    return new Schema(Objects.requireNonNull(fields, "fields"));
  }

  public List<Field> fields() {
    return fields;
  }

  public List<String> names() {
    return names;
  }

  public Optional<Field> field(String name) {
    int index = indexOf(name);
    return index < 0 ? Optional.empty() : Optional.of(fields.get(index));
  }

  /** The position of the column, or -1 when absent. */
  public int indexOf(String name) {
    Objects.requireNonNull(name, "name");
    Integer index = indexByName.get(name);
    return index == null ? -1 : index;
  }

  public int size() {
    return fields.size();
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Schema other && fields.equals(other.fields));
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.stream().map(Field::toString).collect(Collectors.joining(", ", "(", ")"));
  }
}
