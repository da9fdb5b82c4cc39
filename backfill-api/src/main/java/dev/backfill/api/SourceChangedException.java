package dev.backfill.api;

import dev.backfill.spi.DataSource;
import java.util.Objects;
import java.util.Optional;

/**
 * The data a backfill read changed while the backfill ran (a source file rewritten, truncated,
 * added or removed), so the rows it computed may come from two versions of the data. The job
 * fails before its offline commit: neither store is changed. Run the backfill again once the
 * source is stable.
 *
 * <p>The engine compares {@link DataSource#fingerprint()} before the first read and right before
 * the commit; a store that reads the source itself at its commit (the DuckDB fast path) checks
 * again after that read, with the same exception.
 */
public class SourceChangedException extends BackfillException {
  private static final long serialVersionUID = 1L;
  private final String featureSet;

  /**
   * @param source the source as its {@code toString()} names it
   * @param change what changed, e.g. the two fingerprints
   */
  public SourceChangedException(String featureSet, String source, String change) {
    super("feature set '" + Objects.requireNonNull(featureSet, "featureSet") + "': the source "
        + Objects.requireNonNull(source, "source") + " changed during the backfill ("
        + Objects.requireNonNull(change, "change") + ")");
    this.featureSet = featureSet;
  }

  /**
   * Throws when the source's fingerprint now differs from {@code before}, the fingerprint taken
   * before it was first read. A source without a fingerprint never fails this check.
   *
   * @throws SourceChangedException naming the feature set, the source and both fingerprints
   */
  public static void requireUnchanged(String featureSet, DataSource source, Optional<String> before) {
    Optional<String> now = source.fingerprint();
    if (!now.equals(before)) {
      throw new SourceChangedException(featureSet, String.valueOf(source), "before the first read: "
          + before.orElse("no fingerprint") + "; now: " + now.orElse("no fingerprint"));
    }
  }

  /** The feature set whose backfill read the source. */
  public String featureSet() {
    return featureSet;
  }
}
