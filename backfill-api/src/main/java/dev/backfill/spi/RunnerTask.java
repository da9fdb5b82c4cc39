package dev.backfill.spi;

import dev.backfill.api.BackfillPlan;
import java.util.List;
import java.util.Objects;

/**
 * One job as a {@link Runner} sees it: the resolved plan, the feature set's table, the source
 * and transform the job uses, its slices (with the transform's lookback) and the client's stores.
 *
 * @param jobId the job's id, which is also the offline commit's id
 */
public record RunnerTask(String jobId, BackfillPlan plan, TableSpec table, DataSource source, Transform transform,
    List<Slice> slices, OfflineStore offline, OnlineStore online) {
  public RunnerTask {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(transform, "transform");
    slices = List.copyOf(Objects.requireNonNull(slices, "slices"));
    Objects.requireNonNull(offline, "offline");
    Objects.requireNonNull(online, "online");
  }
}
