package dev.backfill.api;

/**
 * A value that does not fit where it was put, outside any feature set: a row built with the
 * wrong number of values or a value of the wrong type ({@link Row#of}), an unknown column or a
 * position outside a row, a typed getter used on a column of another type ({@link Row#getLong}
 * on a STRING column), an entity key without parts or with a null part, a schema with a blank
 * or duplicate column name. The message names the column or position and the schema. Within a
 * backfill it is the cause of the job's {@link BackfillFailedException}; rows handed to a
 * feature set are checked again there ({@link InvalidRowException}).
 */
public class InvalidValueException extends BackfillException {
  private static final long serialVersionUID = 1L;

  public InvalidValueException(String message) {
    super(message);
  }
}
