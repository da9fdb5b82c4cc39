package dev.backfill.api;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An entity key that cannot be a key of its feature set, given to {@link BackfillClient#readOnline}:
 * the wrong number of parts, a part of another type than its key column, or a string part with
 * a lone UTF-16 surrogate (no row can hold one, see {@link InvalidRowException}). The engine
 * checks every key before a store sees it, so every store answers alike. The message names the
 * feature set, the key (escaped) and the key columns with their types.
 */
public class InvalidKeyException extends InvalidRowException {
  private static final long serialVersionUID = 1L;

  /**
   * @param keyColumns the feature set's key columns, in order
   * @param column the key column at fault, or {@code "*"} when the number of parts is wrong
   * @param value the part at fault, or null when the number of parts is wrong
   */
  public InvalidKeyException(String featureSet, EntityKey key, List<Field> keyColumns, String column, Object value,
      String reason) {
    super("invalid key " + describe(key) + " for feature set '" + featureSet + "' (key columns "
        + keyColumns.stream().map(Field::toString).collect(Collectors.joining(", ", "(", ")")) + "): " + reason,
        featureSet, column, value, reason);
    Objects.requireNonNull(key, "key");
  }

  private static String describe(EntityKey key) {
    return key.parts().stream().map(Values::describe).collect(Collectors.joining(", ", "[", "]"));
  }
}
