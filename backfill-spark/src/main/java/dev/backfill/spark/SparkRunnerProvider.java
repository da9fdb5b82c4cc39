package dev.backfill.spark;

import dev.backfill.spi.Runner;
import dev.backfill.spi.RunnerProvider;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Engine type {@code spark}. Options: {@code master} ({@code local[N]}, {@code spark://host:port},
 * {@code yarn}, {@code k8s://...}; absent: the Spark session this process already runs, as under
 * {@code spark-submit}, else {@code local[*]}), {@code app-name} (default {@code backfill}),
 * {@code cluster-template} (the executors, cores and memory of a session this runner starts, see
 * {@link ClusterResources}; default small) and any Spark setting {@code spark.*}, which wins over
 * the template's. A Spark session already running in the process is used as it is (its settings
 * cannot change) and is not stopped by the runner; one the runner starts is stopped with the client.
 */
public final class SparkRunnerProvider implements RunnerProvider {
  @Override
  public String type() {
    return SparkRunner.TYPE;
  }

  @Override
  public Runner create(Map<String, String> options) {
    SparkOptions checked = SparkOptions.parse(options);
    SparkSession existing = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
    if (existing != null && !existing.sparkContext().isStopped()) {
      return new SparkRunner(existing, false);
    }
    SparkSession.Builder builder = SparkSession.builder().master(checked.master()).appName(checked.appName());
    checked.settings().forEach(builder::config);
    return new SparkRunner(builder.getOrCreate(), true);
  }
}
