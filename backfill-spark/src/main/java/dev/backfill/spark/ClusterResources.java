package dev.backfill.spark;

import dev.backfill.api.ClusterTemplate;
import java.util.Map;

/**
 * What a cluster template asks of Spark when the runner starts its session: executors, cores per
 * executor and memory per executor, growing with the template (SMALL below MEDIUM below LARGE
 * below XLARGE in every column). A {@code local[N]} master runs everything in the driver and
 * ignores them; explicit {@code spark.*} options win.
 *
 * <table>
 *   <caption>Templates</caption>
 *   <tr><th>template</th><th>executors</th><th>cores each</th><th>memory each</th></tr>
 *   <tr><td>SMALL</td><td>2</td><td>2</td><td>4g</td></tr>
 *   <tr><td>MEDIUM</td><td>4</td><td>4</td><td>8g</td></tr>
 *   <tr><td>LARGE</td><td>8</td><td>4</td><td>16g</td></tr>
 *   <tr><td>XLARGE</td><td>16</td><td>8</td><td>32g</td></tr>
 * </table>
 */
record ClusterResources(int executors, int cores, int memoryGb) {
  static ClusterResources of(ClusterTemplate template) {
    return switch (template) {
      case SMALL -> new ClusterResources(2, 2, 4);
      case MEDIUM -> new ClusterResources(4, 4, 8);
      case LARGE -> new ClusterResources(8, 4, 16);
      case XLARGE -> new ClusterResources(16, 8, 32);
    };
  }

  /** The Spark settings of these resources. */
  Map<String, String> settings() {
    return Map.of("spark.executor.instances", Integer.toString(executors), "spark.executor.cores", Integer.toString(cores),
        "spark.executor.memory", memoryGb + "g");
  }
}
