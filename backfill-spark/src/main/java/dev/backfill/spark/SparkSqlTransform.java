package dev.backfill.spark;

import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.Transform;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark SQL query over the temporary view {@code source} (the source's rows of one slice's
 * input window): the transform of type {@code spark-sql}. It runs on the {@code spark} engine
 * only: its output schema is what Spark makes of the query on the source's schema, which needs
 * the client's Spark session, and {@link #apply} refuses to run in-process.
 */
public final class SparkSqlTransform implements Transform {
  private final String query;
  private final Duration lookback;

  /**
   * @param lookback how much input before a slice's start the query needs (windows over time)
   * @throws IllegalArgumentException for a blank query or a negative lookback
   */
  public SparkSqlTransform(String query, Duration lookback) {
    this.query = Objects.requireNonNull(query, "query");
    this.lookback = Objects.requireNonNull(lookback, "lookback");
    if (query.isBlank()) {
      throw new IllegalArgumentException("option query is blank; give a Spark SQL query over the view 'source'");
    }
    if (lookback.isNegative()) {
      throw new IllegalArgumentException("option lookback " + lookback + " is negative; give zero or more, e.g. PT1H");
    }
  }

  public String query() {
    return query;
  }

  @Override
  public Duration lookback() {
    return lookback;
  }

  /**
   * Analyses the query over an empty {@code source} of the input schema in the active Spark
   * session.
   *
   * @throws InvalidBackfillRequestException when no Spark session runs in this process (the
   *     client's engine is not {@code spark}) or Spark cannot analyse the query
   */
  @Override
  public Schema outputSchema(Schema input) {
    SparkSession spark = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
    if (spark == null) {
      throw new InvalidBackfillRequestException("the spark-sql transform runs on the spark engine only: build the "
          + "client with engine(\"spark\", Map.of(\"master\", ...)) or set engine: {type: spark} in the environment");
    }
    SparkSession session = spark.newSession();
    session.createDataFrame(List.<org.apache.spark.sql.Row>of(), SparkTypes.structOf(input)).createOrReplaceTempView("source");
    try {
      return SparkTypes.schemaOf(session.sql(query).schema());
    } catch (IllegalArgumentException e) {
      throw new InvalidBackfillRequestException("the spark-sql transform's output " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new InvalidBackfillRequestException("the spark-sql transform's query does not analyse over the view "
          + "'source' " + input + ": " + firstLine(e.getMessage()), e);
    }
  }

  /** Refuses: the query runs in Spark, on the {@code spark} engine. */
  @Override
  public Stream<Row> apply(Stream<Row> input) {
    throw new UnsupportedOperationException("the spark-sql transform runs on the spark engine only; this client "
        + "runs backfills in-process: use the sql transform (DuckDB) or the spark engine");
  }

  @Override
  public String toString() {
    return "spark-sql '" + query + "'" + (lookback.isZero() ? "" : " lookback " + lookback);
  }

  static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
