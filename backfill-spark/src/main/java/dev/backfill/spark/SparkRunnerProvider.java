package dev.backfill.spark;

import dev.backfill.spi.Runner;
import dev.backfill.spi.RunnerProvider;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Engine type {@code spark}. Options: {@code master} ({@code local[N]}, {@code spark://host:port},
 * {@code yarn}, {@code k8s://...}; absent: the one {@code spark-submit} gives, else {@code local[*]}), {@code app-name} (default {@code backfill}),
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
    try {
      Class.forName("org.apache.spark.sql.SparkSession", false, SparkRunnerProvider.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new dev.backfill.api.BackfillException("engine 'spark': Spark's jars are not on the class path; bin/backfill "
          + "adds them when the environment's engine is spark (or BACKFILL_SPARK=1), spark-submit provides them on a cluster, "
          + "and a library "
          + "user adds org.apache.spark:spark-sql_2.13 (4.1.x)", e);
    }
    SparkSession existing = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
    if (existing != null && !existing.sparkContext().isStopped()) {
      return new SparkRunner(existing, false);
    }
    SparkSession.Builder builder = SparkSession.builder().appName(checked.appName());
    // spark-submit passes its --master as the system property spark.master: it wins over the default.
    checked.master().or(() -> System.getProperty("spark.master") == null ? java.util.Optional.of("local[*]")
        : java.util.Optional.empty()).ifPresent(builder::master);
    checked.settings().forEach(builder::config);
    return new SparkRunner(builder.getOrCreate(), true);
  }
}
