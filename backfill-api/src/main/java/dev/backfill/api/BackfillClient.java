package dev.backfill.api;

import dev.backfill.spi.EngineProvider;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The entry point: registers feature sets, ingests rows, runs backfills and reads both stores.
 * Thread-safe; one client per pair of stores and job history. Closing it cancels running jobs
 * (before their offline commit) and closes the stores it built from a type.
 *
 * <p><b>Errors.</b> Every failure is a {@link BackfillException} (a failed backfill's cause is the
 * original error), except programming errors, which are the JDK's: a null argument is a
 * {@code NullPointerException} naming the argument, {@link TimeRange#of} with
 * {@code start >= stop} an {@code IllegalArgumentException}, and building a client without a
 * store or without an engine on the class path an {@code IllegalStateException}. A store's own
 * failure that is not a {@code BackfillException} reaches the caller as a {@link StoreException}
 * naming the store and what was asked of it. After {@link #close()} every method but
 * {@code close()} throws {@link ClientClosedException}.
 *
 * <p><b>Names.</b> Methods that act on a feature set ({@link #backfill}, {@link #ingest}, the
 * reads, {@link #repairOnline}) throw {@link FeatureSetNotFoundException} for a name that is not
 * registered. Lookups answer what they find: {@link #featureSet} is empty and {@link #jobs} is
 * empty for a name without jobs, registered or not, since the job history outlives
 * registrations (a client lists the jobs of a durable history before the feature sets are
 * registered again).
 */
public interface BackfillClient extends AutoCloseable {

  /**
   * A builder from the engine found through {@link ServiceLoader} ({@code backfill-core}).
   *
   * @throws IllegalStateException when no engine is on the class path
   */
  static Builder builder() {
    for (EngineProvider provider : ServiceLoader.load(EngineProvider.class, BackfillClient.class.getClassLoader())) {
      return provider.newClientBuilder();
    }
    for (EngineProvider provider : ServiceLoader.load(EngineProvider.class)) {
      return provider.newClientBuilder();
    }
    throw new IllegalStateException("no Backfill engine on the class path: add the dependency "
        + "dev.backfill:backfill-core (it registers " + EngineProvider.class.getName() + ")");
  }

  /**
   * Registers a feature set and creates its tables in both stores. Idempotent; registering the
   * same name again replaces the source, transform, backfill start and cluster template.
   *
   * @throws InvalidFeatureSetException when the name is registered with another schema, key or
   *     event-time column, differs only in case from a registered name (SQL stores fold the case
   *     of names), or a store holds the table with another schema or a name that differs from it
   *     only in case
   */
  void register(FeatureSet featureSet);

  Optional<FeatureSet> featureSet(String name);

  /**
   * Deletes a feature set's data: its offline table, its online table and its jobs in the job
   * history, and unregisters it, so that the name can be registered again with any schema. The
   * name need not be registered in this client (a table an earlier definition left in the
   * stores can be dropped); dropping what does not exist is not an error. New backfills and
   * ingests of the feature set wait until the drop is done.
   *
   * @throws BackfillConflictException while a backfill of the feature set runs in this client
   * @throws StoreException when a store cannot drop tables (nothing of the job history is
   *     deleted then) or a drop fails
   */
  void dropFeatureSet(String name);

  /** The registered feature sets, by name. */
  List<FeatureSet> featureSets();

  /**
   * A new pending backfill of the feature set.
   *
   * @throws FeatureSetNotFoundException for a name that is not registered
   */
  BackfillRequest backfill(String featureSet);

  /**
   * Appends rows to the offline store (atomically) and updates the online store, newest event
   * time winning (ties by the documented row order). Every row is checked first: an
   * {@link InvalidRowException} writes nothing (a wrong column or type, a null key or event time,
   * a timestamp finer than a microsecond or outside the supported range, a string with a lone
   * UTF-16 surrogate). DOUBLE key values are stored normalised: {@code -0.0} as {@code 0.0}, every
   * NaN as {@code Double.NaN} (see {@link EntityKey}); feature values exactly. Safe during backfills: while a backfill of the
   * feature set has committed offline and not yet reconciled its keys online, the online write
   * of each ingested key is its latest offline row after the append, so that the online store
   * only ever serves the latest row of some committed offline state.
   */
  void ingest(String featureSet, List<Row> rows);

  /**
   * The offline rows whose event time is in the range, from one snapshot: a commit during the
   * scan is not seen. Close the stream.
   *
   * @throws InvalidBackfillRequestException for a range that reaches outside
   *     {@link BackfillTimes#SUPPORTED_RANGE} (no row lies there; read {@link TimeRange#all()})
   */
  Stream<Row> readOffline(String featureSet, TimeRange range);

  /**
   * How many offline rows, and of how many distinct keys, the feature set holds in the range
   * now: what a backfill of that range would replace ({@link TimeRange#all()} for a reset). The
   * offline store counts them, in one snapshot, without returning the rows.
   *
   * @throws InvalidBackfillRequestException for a range outside the supported range
   */
  RangeContents offlineContents(String featureSet, TimeRange range);

  /**
   * The online row of the key. The key is checked against the feature set's key columns before
   * any store sees it, and a part is widened as a row value is ({@link FieldType#coerce}: an
   * {@code Integer} for a DOUBLE column); {@code -0.0} and {@code 0.0} are one key (see
   * {@link EntityKey}).
   *
   * @throws InvalidKeyException for a key with another number of parts than the key columns, a
   *     part of another type, or a string part with a lone UTF-16 surrogate
   */
  Optional<Row> readOnline(String featureSet, EntityKey key);

  /**
   * The job of that id: one of this client's, or with a shared job history ({@code jdbc}) one of
   * any client's, read from the history as last recorded (its progress as its process last
   * published it; {@link BackfillProgress.Stage#AWAITING_RECOVERY} once its holder's lease
   * expired). Empty for an id the client and its history do not know.
   */
  Optional<BackfillJob> job(String jobId);

  /**
   * The jobs of the feature set, newest first, finished ones included; empty for a name without
   * jobs, registered or not (see the class comment). With a shared job history, the jobs of
   * every client of the history, as {@link #job(String)} reads them.
   */
  List<BackfillJob> jobs(String featureSet);

  /**
   * Cancels the job of that id, wherever it runs: a job of this client is cancelled at once
   * ({@link BackfillJob#cancel()}); with a shared job history ({@link Builder#jobHistory(String, Map)},
   * type {@code jdbc}) a job of another process is asked to cancel through the history, and its
   * process cancels it at its next heartbeat unless it has committed by then. Follow the outcome
   * with {@link #job(String)}.
   *
   * @return true when the job will be cancelled (this client's) or the request was recorded
   *     (another's); false when the job has finished or committed offline
   * @throws InvalidBackfillRequestException for an id the history does not hold
   */
  default boolean cancel(String jobId) {
    return job(jobId).orElseThrow(() -> new InvalidBackfillRequestException("unknown backfill job '" + jobId
        + "'; list the jobs of a feature set with jobs(featureSet)")).cancel();
  }

  /**
   * Brings every online key of the feature set to the latest row of the offline store (or
   * removes it when the offline store has no row of it), then makes the online writes durable
   * ({@link dev.backfill.spi.OnlineStore#sync()}). It repairs what a crash left behind outside
   * any job: an {@link #ingest} whose process died between its offline append and its online
   * write. Costs a read of every key of both stores and of the latest rows; safe during ingests
   * and backfills, whose own online updates it never undoes.
   *
   * @return how many keys it wrote and removed
   * @throws FeatureSetNotFoundException for a name that is not registered
   */
  OnlineRepairResult repairOnline(String featureSet);

  /**
   * Cancels running jobs that have not committed and waits for every job to stop, for at most
   * a bounded time that the engine documents; a job still running then is abandoned (logged, and
   * left for recovery by the next client of a durable job history). Then releases resources.
   */
  @Override
  void close();

  /** Configures a client. Not thread-safe. */
  interface Builder {
    /** The offline store to use; the caller keeps ownership and closes it. */
    Builder offlineStore(OfflineStore store);

    /** An offline store created through {@code Plugins}; the client closes it. */
    Builder offlineStore(String type, Map<String, String> options);

    /** The online store to use; the caller keeps ownership and closes it. */
    Builder onlineStore(OnlineStore store);

    /** An online store created through {@code Plugins}; the client closes it. */
    Builder onlineStore(String type, Map<String, String> options);

    /**
     * A directory for a durable job history: finished jobs survive restarts, and a client built
     * on it finishes the online reconciliation of a job whose process died after its offline
     * commit. Default: in memory.
     */
    Builder jobHistory(Path directory);

    /**
     * A job history found by type through {@link dev.backfill.spi.Plugins#jobHistory}: {@code memory}
     * (the default), {@code file} (option {@code path}: the same as {@link #jobHistory(Path)}) or
     * {@code jdbc} (from {@code backfill-jdbc-history}: a PostgreSQL database that clients in many
     * processes and machines share, with conflicts, leases and cancellation across them). The
     * client closes it.
     */
    default Builder jobHistory(String type, Map<String, String> options) {
      throw new UnsupportedOperationException("this engine takes a job history by directory only");
    }

    /**
     * Where the backfills' rows are read, transformed and written: {@code in-process} (the
     * default: the client's own threads) or a runner found by type through
     * {@link dev.backfill.spi.Plugins#runner}, e.g. {@code spark} with option {@code master}
     * ({@code local[2]}, {@code spark://host:7077}, {@code yarn}, {@code k8s://...}) and Spark
     * settings {@code spark.*}. Planning, conflicts, the commit gate, the job history and the
     * reconciliation rules stay the engine's whatever the runner. The client closes the runner.
     */
    default Builder engine(String type, Map<String, String> options) {
      throw new UnsupportedOperationException("this engine runs backfills in-process only");
    }

    /** The clock that defines "now"; default {@link Clock#systemUTC()}. */
    Builder clock(Clock clock);

    /**
     * Called by {@link #build()}, on its thread, for each job of the job history whose online
     * update it finishes (its process stopped after the offline commit), as that recovery starts:
     * the job is RUNNING, its {@link BackfillJob#progress()} has stage
     * {@link BackfillProgress.Stage#RECOVERING} with the keys to check ({@code keysTotal}) and is
     * updated as the recovery goes on, and {@link BackfillJob#await()} returns when it is done.
     * The listener must return promptly: show the progress from another thread. Default: none.
     *
     * <p>A recovery records how far it got in the job history as it goes (after making the online
     * writes so far durable), so one stopped part way (the process killed, or {@code build()}
     * interrupted) is resumed from there by the next client, not begun again. An interrupt of the
     * thread running {@code build()} stops the recovery after its current batch of keys; then
     * {@code build()} records how far it got, closes what it opened and throws a
     * {@link BackfillException} saying so.
     */
    Builder onRecovery(java.util.function.Consumer<BackfillJob> listener);

    /**
     * How long {@link BackfillClient#close()} waits, in all, for running jobs to stop before it
     * abandons them; default 30 seconds. A cancelled job stops within seconds; what can outlast
     * the bound is a job in its offline commit or online update, or blocked in a store.
     *
     * @throws IllegalArgumentException when negative
     */
    Builder closeTimeout(java.time.Duration timeout);

    /**
     * @throws IllegalStateException when a store is missing
     * @throws StoreException when a store cannot be opened
     */
    BackfillClient build();
  }
}
