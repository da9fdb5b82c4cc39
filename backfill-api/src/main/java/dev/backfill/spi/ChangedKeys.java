package dev.backfill.spi;

/**
 * What {@link OnlineStore#writeChanged} changed: how many keys it set and how many it deleted.
 * Keys that already held their target, and keys whose condition refused the write, are in
 * neither count.
 *
 * @param written keys set to a new row
 * @param deleted keys that had a row and were deleted
 */
public record ChangedKeys(long written, long deleted) {
  public ChangedKeys {
    if (written < 0 || deleted < 0) {
      throw new IllegalArgumentException("counts are never negative: written " + written + ", deleted " + deleted);
    }
  }

  /** Nothing changed. */
  public static ChangedKeys none() {
    return new ChangedKeys(0, 0);
  }

  /** The sum of both counts of this and {@code other}. */
  public ChangedKeys plus(ChangedKeys other) {
    return new ChangedKeys(written + other.written, deleted + other.deleted);
  }
}
