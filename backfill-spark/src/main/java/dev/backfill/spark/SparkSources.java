package dev.backfill.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.backfill.api.Field;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.iceberg.IcebergScan;
import dev.backfill.iceberg.IcebergTableSource;
import dev.backfill.spi.PluginDefinition;
import dev.backfill.spi.Plugins;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a source, described by its {@link PluginDefinition}, with Spark: the columns of the
 * source's schema cast to their Backfill types (as the in-process source reads them) and the
 * rows of a time range, a filter Spark pushes into the Parquet row groups and the JDBC query, or
 * that Iceberg's scan planning applies to an {@code iceberg} table's files on the driver.
 */
final class SparkSources {
  /** The source types Spark reads itself. */
  static final Set<String> TYPES = Set.of("parquet", "csv", "jdbc", "iceberg");

  private SparkSources() {}

  static Dataset<Row> read(SparkSession spark, PluginDefinition definition, Schema schema, TimeRange range) {
    String timeColumn = definition.options().get("time-column");
    Dataset<Row> raw = switch (definition.type()) {
      case "parquet" -> spark.read().parquet(definition.options().get("path"));
      // Every column as text, cast below: the types are the source's schema, not Spark's guesses.
      case "csv" -> spark.read().option("header", "true").option("inferSchema", "false").csv(definition.options().get("path"));
      case "jdbc" -> jdbc(spark.read(), definition);
      case "iceberg" -> iceberg(spark, definition, range);
      default -> throw new IllegalArgumentException("source type '" + definition.type() + "' is not read by Spark; "
          + "types read: " + TYPES);
    };
    List<Column> columns = new ArrayList<>();
    for (Field field : schema.fields()) {
      columns.add(col(quoted(field.name())).cast(SparkTypes.sparkType(field.type())).as(field.name()));
    }
    Column time = col(quoted(timeColumn));
    return raw.select(columns.toArray(Column[]::new))
        .where(time.geq(lit(SparkTypes.timestamp(range.start()))).and(time.lt(lit(SparkTypes.timestamp(range.stop())))));
  }

  /**
   * An Iceberg table's rows of a range: the scan is planned on the driver (files and row groups
   * pruned by the range), one Spark partition per file scan task read on the executors.
   */
  private static Dataset<Row> iceberg(SparkSession spark, PluginDefinition definition, TimeRange range) {
    if (!(Plugins.dataSource(definition.type(), definition.options()) instanceof IcebergTableSource table)) {
      throw new IllegalStateException("source type 'iceberg' is not the Iceberg plugin's table source");
    }
    IcebergScan scan = table.scan(range);
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(scan.tasks(), Math.max(1, scan.tasks().size()))
        .mapPartitions(new IcebergTasks(scan));
    return spark.createDataFrame(rows, SparkTypes.structOf(scan.schema()));
  }

  private static Dataset<Row> jdbc(DataFrameReader reader, PluginDefinition definition) {
    DataFrameReader jdbc = reader.format("jdbc").option("url", definition.options().get("url"))
        .option("query", definition.options().get("query"));
    if (definition.options().containsKey("user")) {
      jdbc = jdbc.option("user", definition.options().get("user"));
    }
    if (definition.options().containsKey("password")) {
      jdbc = jdbc.option("password", definition.options().get("password"));
    }
    return jdbc.load();
  }

  static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
