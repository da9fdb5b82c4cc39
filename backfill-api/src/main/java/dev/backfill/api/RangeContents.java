package dev.backfill.api;

/**
 * How many rows an offline table holds in a time range, and of how many distinct entity keys:
 * what a backfill of that range would replace.
 *
 * @param rows the rows whose event time is in the range (duplicates counted)
 * @param keys the distinct keys of those rows
 */
public record RangeContents(long rows, long keys) {
  /** An empty range. */
  public static final RangeContents EMPTY = new RangeContents(0, 0);

  public RangeContents {
    if (rows < 0 || keys < 0 || keys > rows) {
      throw new IllegalArgumentException("range contents need 0 <= keys <= rows, not " + rows + " rows of " + keys + " keys");
    }
  }

  /** Whether the range holds no row. */
  public boolean isEmpty() {
    return rows == 0;
  }
}
