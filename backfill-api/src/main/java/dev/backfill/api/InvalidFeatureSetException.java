package dev.backfill.api;

/**
 * A feature set definition that cannot be used: a missing or duplicate column, a wrong column
 * type, or a schema that differs from the one already registered under the same name.
 */
public class InvalidFeatureSetException extends BackfillException {
  private static final long serialVersionUID = 1L;

  public InvalidFeatureSetException(String message) {
    super(message);
  }
}
