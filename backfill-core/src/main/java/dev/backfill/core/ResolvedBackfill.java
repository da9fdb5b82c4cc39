package dev.backfill.core;

import dev.backfill.api.BackfillPlan;
import dev.backfill.api.FeatureSet;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;

/** A validated request: the plan plus what executing it needs. */
record ResolvedBackfill(FeatureSet featureSet, BackfillPlan plan, DataSource source,
    Transform transform, RowConformer conformer) {}
