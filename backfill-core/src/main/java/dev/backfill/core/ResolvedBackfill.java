package dev.backfill.core;

import dev.backfill.api.BackfillPlan;
import dev.backfill.api.DeletionConfirmation;
import dev.backfill.api.FeatureSet;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Slice;
import dev.backfill.spi.Transform;
import java.util.List;
import java.util.Optional;

/** A validated request: the plan plus what executing it needs. */
record ResolvedBackfill(FeatureSet featureSet, BackfillPlan plan, DataSource source,
    Transform transform, RowConformer conformer, Optional<DeletionConfirmation> deletionConfirmation) {

  /** The plan's slices with the transform's lookback: what each reads and where its rows go. */
  List<Slice> slices() {
    return Slice.of(plan.slices(), plan.range(), transform.lookback());
  }
}
