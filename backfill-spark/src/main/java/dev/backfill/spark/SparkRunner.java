package dev.backfill.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.backfill.api.BackfillException;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.core.RowConformer;
import dev.backfill.iceberg.IcebergDataFiles;
import dev.backfill.iceberg.IcebergOfflineStore;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.Runner;
import dev.backfill.spi.RunnerTask;
import dev.backfill.spi.Slice;
import dev.backfill.spi.PluginDefinition;
import dev.backfill.spi.Transform;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.DataFile;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code spark} engine: a job's slices are read, transformed, checked and written as Iceberg
 * data files by Spark's executors; the driver (this client) attaches the files to the Iceberg
 * store's replacement, whose one validated commit the engine makes after its commit gate. After
 * the commit, the executors update a Redis online store with the engine's reconciliation
 * ({@link #updateOnline}). The engine keeps planning, conflicts, the gate, the job history and
 * recovery.
 *
 * <p>Each job runs in its own Spark session (its own view {@code source}) on the runner's
 * context, in a Spark job group named by the backfill's job id, so the Spark UI shows which
 * backfill a Spark job belongs to and a cancel stops exactly its tasks.
 */
final class SparkRunner implements Runner {
  static final String TYPE = "spark";
  private static final Logger log = LoggerFactory.getLogger(SparkRunner.class);
  /** The column that carries, through the transform's output, the index of its slice. */
  static final String SLICE_COLUMN = "__backfill_slice";

  private final SparkSession spark;
  private final boolean owned;
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  /** The data files each staged job wrote, until its online update. */
  private final java.util.Map<String, List<String>> writtenFiles = new ConcurrentHashMap<>();

  SparkRunner(SparkSession spark, boolean owned) {
    this.spark = spark;
    this.owned = owned;
  }

  SparkSession spark() {
    return spark;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void check(RunnerTask task) {
    String featureSet = task.plan().featureSet();
    Optional<PluginDefinition> definition = task.source().definition();
    if (definition.isEmpty() || !SparkSources.TYPES.contains(definition.get().type())) {
      throw new InvalidBackfillRequestException("feature set '" + featureSet + "': the spark engine cannot read the "
          + "source " + task.source() + (definition.isEmpty() ? " (a DataSource written in Java)"
          : " (type '" + definition.get().type() + "')") + "; it reads sources of types " + new java.util.TreeSet<>(SparkSources.TYPES)
          + " made from their type and options; run this backfill on the in-process engine");
    }
    if (task.transform() != Transform.identity() && !(task.transform() instanceof SparkSqlTransform)) {
      throw new InvalidBackfillRequestException("feature set '" + featureSet + "': the spark engine cannot run the "
          + "transform " + task.transform() + "; it runs the identity and spark-sql transforms; run this backfill on "
          + "the in-process engine");
    }
    if (!(task.offline() instanceof IcebergOfflineStore)) {
      throw new InvalidBackfillRequestException("feature set '" + featureSet + "': the spark engine writes to the "
          + "iceberg offline store only, and this client's is " + task.offline() + "; use offline-store type iceberg "
          + "or the in-process engine");
    }
  }

  @Override
  public Optional<OfflineReplacement.StagedRows> stage(RunnerTask task, OfflineReplacement replacement) {
    IcebergDataFiles files = IcebergDataFiles.of(replacement).orElseThrow(() -> new IllegalStateException(
        "the spark engine stages into Iceberg replacements only; check() lets no other store through"));
    String jobId = task.jobId();
    SparkContext context = spark.sparkContext();
    context.setJobGroup(jobId, "backfill " + jobId + " of " + task.plan().featureSet() + " " + task.plan().range()
        + (task.plan().reset() ? " (reset)" : ""), true);
    try {
      if (cancelled.contains(jobId)) {
        throw new BackfillException("backfill " + jobId + " was cancelled");
      }
      SparkSession session = session(spark);
      LongAccumulator read = context.longAccumulator(jobId + " rows read");
      Dataset<Row> output = output(session, task, read);
      Schema produced = SparkTypes.schemaOf(output.drop(SLICE_COLUMN).schema());
      StagePartition.Counters counters = new StagePartition.Counters(context.longAccumulator(jobId + " rows staged"),
          context.longAccumulator(jobId + " rows out of range"), context.longAccumulator(jobId + " rows of context"));
      StagePartition partition = new StagePartition(task.plan().featureSet(), task.table().eventTimeColumn(), produced,
          new RowConformer(task.table()), placements(task), files.writers(), counters);
      List<DataFile> written = output.javaRDD().mapPartitions(partition).collect();
      if (cancelled.contains(jobId)) {
        throw new BackfillException("backfill " + jobId + " was cancelled");
      }
      files.attach(written);
      writtenFiles.put(jobId, written.stream().map(DataFile::location).toList());
      long readCount = identityInOneScan(task) ? counters.staged().sum() + counters.outOfRange().sum()
          + counters.context().sum() : read.sum();
      log.info("backfill {} of {}: spark wrote {} rows in {} data files ({} read, {} out of range, {} as context)",
          jobId, task.plan().featureSet(), counters.staged().sum(), written.size(), readCount,
          counters.outOfRange().sum(), counters.context().sum());
      return Optional.of(new OfflineReplacement.StagedRows(readCount, counters.staged().sum(),
          counters.outOfRange().sum(), counters.context().sum()));
    } catch (Exception e) {
      // Spark throws its checked SparkException from Scala code, undeclared.
      discard(task);
      throw translated(e, task);
    } finally {
      context.clearJobGroup();
      cancelled.remove(jobId);
    }
  }

  /** A session of its own for a job: its own view {@code source}, UTC and java.time values. */
  static SparkSession session(SparkSession spark) {
    SparkSession session = spark.newSession();
    session.conf().set("spark.sql.session.timeZone", "UTC");
    session.conf().set("spark.sql.datetime.java8API.enabled", "true");
    return session;
  }

  /**
   * With the identity transform and a source that selects by the feature set's event-time column,
   * each row lands in exactly the slice whose window read it: one scan of the range does.
   */
  private static boolean identityInOneScan(RunnerTask task) {
    return task.transform() == Transform.identity()
        && task.source().eventTimeColumn().equals(Optional.of(task.table().eventTimeColumn()));
  }

  /**
   * The transform's output for every slice, each row with its slice's index: each slice's
   * transform sees only its own input window, as in-process.
   */
  private static Dataset<Row> output(SparkSession session, RunnerTask task, LongAccumulator read) {
    PluginDefinition definition = task.source().definition().orElseThrow();
    List<Slice> slices = task.slices();
    if (identityInOneScan(task)) {
      Dataset<Row> rows = SparkSources.read(session, definition, task.source().schema(), task.plan().range());
      // Every row is inside the range: placed by one slice covering it (placements()).
      return rows.withColumn(SLICE_COLUMN, lit(0));
    }
    List<Dataset<Row>> parts = new ArrayList<>();
    for (int i = 0; i < slices.size(); i++) {
      // Each window read on its own, so that every source prunes by it: Spark pushes a filter
      // into Parquet and JDBC, but an iceberg source's files are planned once per read.
      Dataset<Row> input = SparkSources.read(session, definition, task.source().schema(), slices.get(i).input());
      input = input.mapPartitions(new InputCount(read), Encoders.row(input.schema()));
      Dataset<Row> out;
      if (task.transform() instanceof SparkSqlTransform sql) {
        // The view is resolved when the query is analysed: the next slice's view does not change it.
        input.createOrReplaceTempView("source");
        out = session.sql(sql.query());
      } else {
        out = input;
      }
      parts.add(out.withColumn(SLICE_COLUMN, lit(i)));
    }
    Dataset<Row> all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = all.unionAll(parts.get(i));
    }
    return all;
  }

  /** The slices that place the output rows: one covering the range when it is read in one scan. */
  private static List<Slice> placements(RunnerTask task) {
    TimeRange range = task.plan().range();
    return identityInOneScan(task) ? List.of(new Slice(range, range, java.time.Duration.ZERO)) : task.slices();
  }

  /** Deletes what the job's tasks wrote: the commit's folder, which no snapshot references yet. */
  private static void discard(RunnerTask task) {
    try {
      task.offline().discardStaged(task.table().name(), task.jobId());
    } catch (RuntimeException e) {
      log.warn("backfill {} of {}: the data files spark wrote could not all be deleted ({}); no snapshot references "
          + "them", task.jobId(), task.plan().featureSet(), e.toString());
    }
  }

  /**
   * The failure as the in-process engine would report it: a Backfill exception thrown in a task
   * (a bad row, a store failure) itself, anything else naming the engine.
   */
  private static RuntimeException translated(Exception e, RunnerTask task) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof BackfillException backfill) {
        return backfill;
      }
    }
    return new BackfillException("the spark engine failed running backfill " + task.jobId() + ": "
        + SparkSqlTransform.firstLine(e.getMessage()), e);
  }

  /**
   * For a Redis online store (and an offline store that can be opened from its definition): the
   * changed keys are found in Spark (the keys of the files the job wrote, of the rows its commit
   * removed, and for a reset every online key, listed by one task) and reconciled by the
   * executors, each running the engine's reconciliation on its part of the keys with the stores
   * opened there. No row or key of the job passes through the driver. Other online stores are
   * left to the engine's reconciliation on the driver.
   */
  @Override
  public Optional<OnlineUpdate> updateOnline(RunnerTask task, OfflineReplacement committed) {
    Optional<PluginDefinition> offline = task.offline().definition();
    Optional<PluginDefinition> online = task.online().definition();
    List<String> written = writtenFiles.remove(task.jobId());
    Optional<IcebergDataFiles> files = IcebergDataFiles.of(committed);
    if (offline.isEmpty() || online.isEmpty() || !online.get().type().equals("redis") || written == null
        || files.isEmpty()) {
      return Optional.empty();
    }
    SparkContext context = spark.sparkContext();
    context.setJobGroup(task.jobId(), "backfill " + task.jobId() + " of " + task.plan().featureSet()
        + ": online update", false);
    try {
      SparkSession session = session(spark);
      List<String> keyColumns = task.table().keyColumns();
      Column[] keys = keyColumns.stream().map(k -> col(SparkSources.quoted(k))).toArray(Column[]::new);
      StructType keyStruct = SparkTypes.structOf(dev.backfill.api.Schema.of(keyColumns.stream()
          .map(k -> task.table().schema().field(k).orElseThrow()).toList()));
      Dataset<Row> changed = session.createDataFrame(List.of(), keyStruct);
      if (!written.isEmpty()) {
        changed = changed.unionByName(session.read().parquet(written.toArray(String[]::new)).select(keys));
      }
      List<String> removed = files.get().removedFiles();
      if (!removed.isEmpty()) {
        Dataset<Row> old = session.read().parquet(removed.toArray(String[]::new));
        if (!task.plan().reset()) {
          Column time = col(SparkSources.quoted(task.table().eventTimeColumn()));
          old = old.where(time.geq(lit(SparkTypes.timestamp(task.plan().range().start())))
              .and(time.lt(lit(SparkTypes.timestamp(task.plan().range().stop())))));
        }
        changed = changed.unionByName(old.select(keys));
      }
      if (task.plan().reset()) {
        JavaRDD<Row> onlineKeys = JavaSparkContext.fromSparkContext(context).parallelize(List.of(0), 1)
            .mapPartitions(new OnlineKeys(task.table(), online.get()));
        changed = changed.unionByName(session.createDataFrame(onlineKeys, keyStruct));
      }
      int partitions = Math.max(1, context.defaultParallelism());
      Instant fence = task.plan().reset() ? null : task.plan().range().stop();
      List<long[]> counts = changed.distinct().repartition(partitions).javaRDD()
          .mapPartitions(new OnlinePartition(task.table(), offline.get(), online.get(), fence)).collect();
      long keysWritten = counts.stream().mapToLong(c -> c[0]).sum();
      long keysDeleted = counts.stream().mapToLong(c -> c[1]).sum();
      log.info("backfill {} of {}: spark's executors updated the online store: {} keys written, {} deleted",
          task.jobId(), task.plan().featureSet(), keysWritten, keysDeleted);
      return Optional.of(new OnlineUpdate(keysWritten, keysDeleted));
    } catch (Exception e) {
      throw translated(e, task);
    } finally {
      context.clearJobGroup();
    }
  }

  @Override
  public void cancel(String jobId) {
    cancelled.add(jobId);
    spark.sparkContext().cancelJobGroup(jobId);
  }

  @Override
  public void close() {
    if (owned) {
      spark.stop();
    }
  }

  @Override
  public String toString() {
    return "spark engine on " + spark.sparkContext().master();
  }
}
