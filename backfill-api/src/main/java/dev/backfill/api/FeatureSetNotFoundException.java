package dev.backfill.api;

import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;

/** A feature set name that is not registered with the client. */
public class FeatureSetNotFoundException extends InvalidBackfillRequestException {
  private static final long serialVersionUID = 1L;
  private final String featureSet;

  public FeatureSetNotFoundException(String featureSet, Collection<String> known) {
    super("unknown feature set '" + featureSet + "'; registered feature sets: "
        + (known.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(known))));
    this.featureSet = Objects.requireNonNull(featureSet, "featureSet");
  }

  /** The name that was asked for. */
  public String featureSet() {
    return featureSet;
  }
}
