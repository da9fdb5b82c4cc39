package dev.backfill.core;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.ClientClosedException;
import dev.backfill.api.BackfillTimes;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FeatureSetNotFoundException;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.OnlineRepairResult;
import dev.backfill.api.RangeContents;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.JobEntry;
import dev.backfill.spi.JobHistory;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.Runner;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link BackfillClient}.
 *
 * <p>{@link #close()} ends within its close timeout ({@link #CLOSE_WAIT} unless the builder set
 * another) plus the time the history and the owned stores take to close: it cancels the jobs that have not begun their offline commit, waits for
 * every job to stop for at most that long in all, and then abandons the jobs still running (a
 * store call that never returns, a long online update): it logs each, with what the next client
 * of a durable history will do about it.
 */
final class DefaultBackfillClient implements BackfillClient {
  private static final Logger log = LoggerFactory.getLogger(DefaultBackfillClient.class);
  /** How long {@link #close()} waits for running jobs before it abandons them, by default. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
  private static final DateTimeFormatter JOB_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OfflineStore offline;
  private final OnlineStore online;
  private final List<AutoCloseable> owned;
  private final JobHistory history;
  private final Clock clock;
  private final BackfillPlanner planner;
  private final FeatureSetLocks locks = new FeatureSetLocks();
  private final OnlineReconciler reconciler;
  private final RunningScopes scopes = new RunningScopes();
  private final Map<String, FeatureSet> featureSets = new ConcurrentHashMap<>();
  private final Map<String, RowConformer> conformers = new ConcurrentHashMap<>();
  private final Map<String, DefaultBackfillJob> jobs = new ConcurrentHashMap<>();
  private final ExecutorService executor;
  /**
   * Publishes the progress of running jobs to a durable history; for a shared one also renews
   * leases, takes over and cancels. Null for the in-memory history, which no one else reads.
   */
  private final java.util.concurrent.ScheduledExecutorService heartbeat;
  private final Map<String, JobRecorder> recorders = new ConcurrentHashMap<>();
  /** Jobs taken over whose recovery failed, to try again at the next beat. */
  private final java.util.Queue<DefaultBackfillJob> recoveryRetries = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.function.Consumer<BackfillJob> recoveryListener;
  private final Duration closeWait;
  /** Empty: the job's rows move through the client's own threads. */
  private final Optional<Runner> runner;
  private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  DefaultBackfillClient(OfflineStore offline, OnlineStore online, List<AutoCloseable> owned, JobHistory history, Clock clock,
      Duration closeWait, java.util.function.Consumer<BackfillJob> recoveryListener, Optional<Runner> runner) {
    this.runner = runner;
    this.closeWait = closeWait;
    this.offline = offline;
    this.online = online;
    this.owned = owned;
    this.history = history;
    this.clock = clock;
    this.planner = new BackfillPlanner(clock);
    this.reconciler = new OnlineReconciler(offline, online, locks);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "backfill-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.recoveryListener = recoveryListener;
    // A durable history is read by other processes (a shared one's clients, a file one's
    // snapshots), so the progress of running jobs is published there at every beat.
    if (history instanceof InMemoryJobHistory) {
      this.heartbeat = null;
    } else {
      this.heartbeat = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "backfill-heartbeat");
        thread.setDaemon(true);
        return thread;
      });
      long period = Math.max(100, history.lease().toMillis() / 3);
      // Beating before the takeovers below keeps the leases of the jobs they recover.
      heartbeat.scheduleWithFixedDelay(this::beat, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    if (history.shared()) {
      try {
        for (DefaultBackfillJob job : takeOver()) {
          // As with a file history, a recovery that fails fails build(): the lease then expires
          // and another client tries again.
          StoreCalls.run("the stores", "recovering backfill " + job.id() + " of " + job.plan().featureSet(),
              () -> new JobRecovery(offline, online, reconciler, clock, recoveryListener).recover(job));
        }
      } catch (RuntimeException e) {
        heartbeat.shutdownNow();
        throw e;
      }
    } else {
      try {
        recover(recoveryListener);
      } catch (RuntimeException e) {
        if (heartbeat != null) {
          heartbeat.shutdownNow();
        }
        throw e;
      }
    }
  }

  /** A recorder of the job's records in the history: every transition and (shared) its progress. */
  private JobRecorder recorder(String jobId) {
    return recorders.computeIfAbsent(jobId, id -> new JobRecorder(history));
  }

  /**
   * One heartbeat: publishes the progress of the running jobs; with a shared history also renews
   * the leases of this client's jobs, cancels those another client asked to cancel, and takes
   * over the jobs whose holder's lease expired. A failure (the database unreachable for a moment)
   * is logged and the next beat tries again; the leases last three beats.
   */
  private void beat() {
    try {
      for (String id : history.renewLeases()) {
        DefaultBackfillJob job = jobs.get(id);
        if (job != null && job.cancel()) {
          log.info("backfill {} of {} cancelled at the request of another client of the job history", id,
              job.plan().featureSet());
        }
      }
      for (DefaultBackfillJob job : jobs.values()) {
        if (!job.status().isTerminal()) {
          recorder(job.id()).publishProgress(job::progress);
        }
      }
      if (!closed && history.shared()) {
        // On the job threads: a long recovery must not hold up the next beats' renewals.
        List<DefaultBackfillJob> toRecover = new ArrayList<>(takeOver());
        for (DefaultBackfillJob job; (job = recoveryRetries.poll()) != null; ) {
          toRecover.add(job);
        }
        for (DefaultBackfillJob job : toRecover) {
          executor.execute(() -> recoverTakenOver(job));
        }
      }
    } catch (RuntimeException e) {
      log.warn("job history {}: heartbeat failed ({}); trying again at the next one", history, e.toString());
    }
  }

  /**
   * Takes over the jobs of a shared history whose holder stopped (its lease expired): at build,
   * so that a client built after a crash settles them as a client of a file history does, and
   * at every beat.
   */
  private List<DefaultBackfillJob> takeOver() {
    List<DefaultBackfillJob> taken = new ArrayList<>();
    for (JobEntry entry : history.takeOverExpired()) {
      JobRecord record = JobDocuments.record(entry);
      DefaultBackfillJob job = DefaultBackfillJob.fromRecord(record, recorder(record.id())::save);
      jobs.put(job.id(), job);
      log.info("job history {}: took over backfill {} of {}, whose process stopped", history, record.id(),
          record.featureSet());
      taken.add(job);
    }
    return taken;
  }

  /**
   * Settles a job taken over at a beat: FAILED before its offline commit, else reconciled and
   * SUCCEEDED. A recovery that fails (a store unreachable) is tried again at the next beat; the
   * job stays held by this client meanwhile.
   */
  private void recoverTakenOver(DefaultBackfillJob job) {
    String featureSet = job.plan().featureSet();
    try {
      StoreCalls.run("the stores", "recovering backfill " + job.id() + " of " + featureSet,
          () -> new JobRecovery(offline, online, reconciler, clock, recoveryListener).recover(job));
    } catch (RuntimeException e) {
      log.error("recovering backfill {} of {} failed: {}; trying again at the next heartbeat", job.id(), featureSet,
          e.toString());
      if (!closed) {
        recoveryRetries.add(job);
      }
    }
  }

  /** Loads the history and settles, oldest first, the jobs that a stopped process left unfinished. */
  private void recover(java.util.function.Consumer<BackfillJob> listener) {
    JobRecovery recovery = new JobRecovery(offline, online, reconciler, clock, listener);
    List<JobRecord> records = new ArrayList<>(history.load().stream().map(JobDocuments::record).toList());
    records.sort(Comparator.comparingLong(JobRecord::sequence));
    for (JobRecord record : records) {
      DefaultBackfillJob job = DefaultBackfillJob.fromRecord(record, recorder(record.id())::save);
      jobs.put(job.id(), job);
      sequence.accumulateAndGet(record.sequence(), Math::max);
      if (JobRecovery.needsRecovery(record)) {
        StoreCalls.run("the stores", "recovering backfill " + record.id() + " of " + record.featureSet(),
            () -> recovery.recover(job));
      }
    }
  }

  @Override
  public void register(FeatureSet featureSet) {
    Objects.requireNonNull(featureSet, "featureSet");
    ensureOpen();
    synchronized (featureSets) {
      FeatureSet existing = featureSets.get(featureSet.name());
      if (existing != null && !existing.table().equals(featureSet.table())) {
        throw new InvalidFeatureSetException("feature set '" + featureSet.name() + "' is registered with schema "
            + existing.schema() + ", keys " + existing.keyColumns() + ", event time " + existing.eventTimeColumn()
            + "; the new definition has schema " + featureSet.schema() + ", keys " + featureSet.keyColumns()
            + ", event time " + featureSet.eventTimeColumn() + "; a changed schema needs a new feature set name");
      }
      for (String registered : featureSets.keySet()) {
        if (!registered.equals(featureSet.name()) && FeatureSet.sameNameIgnoringCase(registered, featureSet.name())) {
          throw new InvalidFeatureSetException("feature set '" + featureSet.name() + "' differs only in case from the "
              + "registered feature set '" + registered + "'; SQL stores (DuckDB, Iceberg) fold the case of names, so "
              + "the two would be one table there: use '" + registered + "' or a name that differs by more than case");
        }
      }
      String creating = "creating table '" + featureSet.name() + "'";
      StoreCalls.run(offline, creating, () -> offline.createTable(featureSet.table()));
      StoreCalls.run(online, creating, () -> online.createTable(featureSet.table()));
      featureSets.put(featureSet.name(), featureSet);
      conformers.put(featureSet.name(), new RowConformer(featureSet.table()));
    }
    log.debug("registered feature set {}", featureSet);
  }

  @Override
  public void dropFeatureSet(String name) {
    Objects.requireNonNull(name, "name");
    ensureOpen();
    try {
      scopes.beginDrop(name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackfillException("interrupted while waiting for another drop of feature set '" + name + "'; nothing was dropped", e);
    }
    Lock lock = locks.forFeatureSet(name).writeLock();
    lock.lock();
    try {
      if (history.shared()) {
        for (JobEntry entry : history.load()) {
          if (entry.featureSet().equals(name) && entry.needsFinishing()) {
            throw new BackfillConflictException("feature set '" + name + "' cannot be dropped while backfill job "
                + entry.id() + " of it runs" + entry.holder().map(h -> " on " + h).orElse(" (its process stopped; "
                + "a client takes it over when its lease expires)") + "; wait for it or cancel it", entry.id());
          }
        }
      }
      synchronized (featureSets) {
        String dropping = "dropping table '" + name + "'";
        StoreCalls.run(online, dropping, () -> online.dropTable(name));
        StoreCalls.run(offline, dropping, () -> offline.dropTable(name));
        featureSets.remove(name);
        conformers.remove(name);
      }
      for (BackfillJob job : jobs(name)) {
        history.delete(job.id());
        jobs.remove(job.id());
      }
      log.info("dropped feature set {}: its offline and online tables and its job records", name);
    } finally {
      lock.unlock();
      scopes.endDrop(name);
    }
  }

  @Override
  public Optional<FeatureSet> featureSet(String name) {
    Objects.requireNonNull(name, "name");
    ensureOpen();
    return Optional.ofNullable(featureSets.get(name));
  }

  @Override
  public List<FeatureSet> featureSets() {
    ensureOpen();
    return featureSets.values().stream().sorted(Comparator.comparing(FeatureSet::name)).toList();
  }

  @Override
  public BackfillRequest backfill(String featureSet) {
    ensureOpen();
    require(featureSet);
    return new DefaultBackfillRequest(this, featureSet);
  }

  ResolvedBackfill resolve(String featureSet, BackfillPlanner.RequestSpec spec) {
    ensureOpen();
    return planner.resolve(require(featureSet), spec);
  }

  /**
   * Starts the resolved backfill. The job is findable by its id from the moment its scope is
   * claimed ({@link RunningScopes#acquire}), so a conflict that names it never names a stranger.
   *
   * @throws InvalidBackfillRequestException when the feature set was registered again or dropped
   *     since the backfill was resolved: what was resolved (and perhaps reviewed) is not what
   *     would run
   */
  DefaultBackfillJob submit(ResolvedBackfill backfill) {
    ensureOpen();
    BackfillPlan plan = backfill.plan();
    String featureSet = plan.featureSet();
    String id = newJobId();
    runner.ifPresent(r -> r.check(BackfillExecution.task(backfill, id, offline, online)));
    DefaultBackfillJob job = new DefaultBackfillJob(id, sequence.incrementAndGet(), plan, clock.instant(),
        recorder(id)::save);
    Optional<TimeRange> scope = plan.reset() ? Optional.empty() : Optional.of(plan.range());
    try {
      scopes.acquire(featureSet, id, scope, () -> {
        if (!backfill.featureSet().equals(featureSets.get(featureSet))) {
          throw new InvalidBackfillRequestException("feature set '" + featureSet + "' was "
              + (featureSets.containsKey(featureSet) ? "registered again with another definition" : "dropped")
              + " since this backfill was planned, so the plan may no longer be what would run; plan it again");
        }
        jobs.put(id, job);
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackfillException("interrupted while waiting for a drop of feature set '" + featureSet
          + "' to end; the backfill was not submitted", e);
    }
    try {
      JobRecord first = job.toRecord();
      history.submit(JobDocuments.entry(first));
      recorder(id).saved(first);
    } catch (BackfillConflictException e) {
      // Another process runs an overlapping job: this one was never recorded, so it never was.
      jobs.remove(id);
      recorders.remove(id);
      scopes.release(featureSet, id);
      throw e;
    } catch (RuntimeException e) {
      job.onTerminal(() -> scopes.release(featureSet, id));
      // The job is known by its id (a conflict may have named it): it stays, FAILED.
      job.fail("the job history could not record the job, so it was not started: " + e.getMessage(), e, clock.instant());
      throw e instanceof BackfillException b ? b : new StoreException("backfill " + id + " of " + featureSet
          + " was not started: the job history could not record it: " + e, e);
    }
    job.onTerminal(() -> scopes.release(featureSet, id));
    try {
      executor.execute(new BackfillExecution(backfill, job, offline, online, reconciler, executor, clock, runner));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      job.fail("the client was closed before the job could start", e, clock.instant());
      throw closedException();
    }
    log.info("backfill {} of {} submitted: {}", id, featureSet, plan);
    return job;
  }

  @Override
  public void ingest(String featureSet, List<Row> rows) {
    Objects.requireNonNull(rows, "rows");
    ensureOpen();
    FeatureSet definition = require(featureSet);
    RowConformer conformer = conformer(featureSet);
    List<Row> conformed = new ArrayList<>(rows.size());
    for (Row row : rows) {
      conformed.add(conformer.conform(Objects.requireNonNull(row, "a row of the ingested list is null")));
    }
    if (conformed.isEmpty()) {
      return;
    }
    TableSpec table = definition.table();
    Map<EntityKey, Row> latest = new HashMap<>();
    for (Row row : conformed) {
      latest.merge(table.keyOf(row), row, table::laterOf);
    }
    Lock lock = locks.forFeatureSet(featureSet).readLock();
    lock.lock();
    try {
      StoreCalls.run(offline, "appending " + conformed.size() + " rows to '" + featureSet + "'",
          () -> offline.append(featureSet, conformed));
      // While a backfill's commit is not reconciled online, a key's newest ingested row may be
      // older than its latest committed row (O = {t1}, the commit makes {t5}, t3 is ingested):
      // write the latest offline row after the append instead, the latest of a committed state.
      // Still newest-wins: the latest of a later state never loses to a concurrent ingest's.
      Map<EntityKey, Row> wanted = locks.hasUnreconciledCommit(featureSet)
          ? StoreCalls.call(offline, "reading the latest rows of " + latest.size() + " keys of '" + featureSet + "'",
              () -> offline.latest(featureSet, latest.keySet()))
          : latest;
      Comparator<Row> order = table.latestOrder();
      List<OnlineWrite> writes = wanted.entrySet().stream()
          .map(e -> OnlineWrite.putIfLater(e.getKey(), e.getValue(), order)).toList();
      StoreCalls.call(online, "writing " + writes.size() + " keys of '" + featureSet + "'",
          () -> online.write(featureSet, writes));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Stream<Row> readOffline(String featureSet, TimeRange range) {
    Objects.requireNonNull(range, "range");
    ensureOpen();
    require(featureSet);
    TimeRange checked = supportedReadRange(featureSet, range);
    return StoreCalls.stream(offline, "scan of '" + featureSet + "' over " + checked,
        () -> offline.scan(featureSet, checked));
  }

  @Override
  public RangeContents offlineContents(String featureSet, TimeRange range) {
    Objects.requireNonNull(range, "range");
    ensureOpen();
    require(featureSet);
    TimeRange checked = supportedReadRange(featureSet, range);
    return StoreCalls.call(offline, "counting the rows of '" + featureSet + "' in " + checked,
        () -> offline.contents(featureSet, checked));
  }

  /** The range, checked to lie in the supported range (which {@code TimeRange.all()} is). */
  private static TimeRange supportedReadRange(String featureSet, TimeRange range) {
    if (!BackfillTimes.isSupported(range)) {
      throw new InvalidBackfillRequestException("feature set '" + featureSet + "': read range " + range
          + " reaches outside the supported range " + BackfillTimes.SUPPORTED_RANGE
          + ", where no row can be; read TimeRange.all() for every row");
    }
    return range;
  }

  @Override
  public Optional<Row> readOnline(String featureSet, EntityKey key) {
    Objects.requireNonNull(key, "key");
    ensureOpen();
    require(featureSet);
    EntityKey conformed = conformer(featureSet).conformKey(key);
    return StoreCalls.call(online, "reading key " + conformed + " of '" + featureSet + "'",
        () -> online.get(featureSet, conformed));
  }

  @Override
  public Optional<BackfillJob> job(String jobId) {
    Objects.requireNonNull(jobId, "jobId");
    ensureOpen();
    DefaultBackfillJob local = jobs.get(jobId);
    if (local != null || !history.shared()) {
      return Optional.ofNullable(local);
    }
    return history.find(jobId).map(DefaultBackfillClient::recorded);
  }

  /** A job of another client of a shared history, as last recorded; live while its holder's lease holds. */
  private static RecordedJob recorded(JobEntry entry) {
    return new RecordedJob(JobDocuments.record(entry), entry.holder().isPresent());
  }

  /**
   * The feature set's jobs, newest first: this client's, and with a shared history every other
   * client's as last recorded (their progress as last published).
   */
  @Override
  public List<BackfillJob> jobs(String featureSet) {
    ensureOpen();
    if (!history.shared()) {
      return JobListing.newestFirst(jobs.values(), featureSet, DefaultBackfillJob::sequence);
    }
    List<BackfillJob> all = new ArrayList<>(jobs.values());
    for (JobEntry entry : history.load()) {
      if (entry.featureSet().equals(featureSet) && !jobs.containsKey(entry.id())) {
        all.add(recorded(entry));
      }
    }
    return JobListing.newestFirst(all, featureSet, job -> job instanceof DefaultBackfillJob d ? d.sequence()
        : ((RecordedJob) job).sequence());
  }

  @Override
  public boolean cancel(String jobId) {
    Objects.requireNonNull(jobId, "jobId");
    ensureOpen();
    DefaultBackfillJob local = jobs.get(jobId);
    if (local != null) {
      return local.cancel();
    }
    if (history.shared()) {
      return history.requestCancel(jobId);
    }
    throw new InvalidBackfillRequestException("unknown backfill job '" + jobId + "' in job history " + history
        + "; list the jobs of a feature set with jobs(featureSet)");
  }

  @Override
  public OnlineRepairResult repairOnline(String featureSet) {
    ensureOpen();
    FeatureSet definition = require(featureSet);
    long start = System.nanoTime();
    // No fence: the offline store holds every row ingest or a backfill committed, so its latest
    // row is what each key should serve.
    OnlineReconciler.Outcome outcome = StoreCalls.call("the stores", "repairing the online store of '" + featureSet + "'",
        () -> reconciler.reconcileAll(definition.table(), TimeRange.all(), Optional.empty()));
    OnlineRepairResult result = new OnlineRepairResult(featureSet, outcome.keysWritten(), outcome.keysDeleted(),
        Duration.ofNanos(System.nanoTime() - start));
    log.info("repaired the online store of {}: {} keys written, {} keys deleted, in {} ms", featureSet,
        result.keysWritten(), result.keysDeleted(), result.elapsed().toMillis());
    return result;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DefaultBackfillJob job : jobs.values()) {
      if (job.cancel()) {
        log.info("closing the client: cancelled backfill {} of {}", job.id(), job.plan().featureSet());
      }
    }
    // A wait of centuries is a wait without end; nanoTime arithmetic must not overflow.
    long deadline = System.nanoTime() + Math.min(DefaultBackfillJob.saturatedNanos(closeWait), Long.MAX_VALUE / 4);
    for (DefaultBackfillJob job : jobs.values()) {
      awaitUntil(job, deadline);
    }
    executor.shutdownNow();
    if (heartbeat != null) {
      heartbeat.shutdownNow();
    }
    RuntimeException failure = null;
    try {
      history.close();
    } catch (RuntimeException e) {
      failure = e;
    }
    for (AutoCloseable resource : owned) {
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof RuntimeException r ? r : new BackfillException("closing " + resource + " failed: " + e, e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Waits for the job until the deadline; a job still running then is abandoned, and said so. */
  private void awaitUntil(DefaultBackfillJob job, long deadline) {
    try {
      if (job.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))).isPresent()) {
        return;
      }
    } catch (BackfillException ended) {
      // failed or cancelled jobs have already logged their outcome
      return;
    }
    log.warn("closing the client: backfill {} of {} did not stop within {} s ({}); abandoned: its thread may still run "
        + "until its store call returns, and {}", job.id(), job.plan().featureSet(), closeWait.toSeconds(),
        switch (job.commitStage()) {
          case BEFORE_COMMIT -> "cancelled, before its offline commit";
          case COMMITTING -> "in its offline commit";
          case COMMITTED -> "committed offline, updating the online store";
        },
        history.shared() ? "once its lease expires, another client of the shared job history finishes or fails it"
            : history instanceof FileJobHistory
            ? "a client built on the same job history and stores finishes or fails it"
            : "with an in-memory job history nothing will finish its online update; repairOnline does");
  }

  private FeatureSet require(String featureSet) {
    Objects.requireNonNull(featureSet, "featureSet");
    FeatureSet definition = featureSets.get(featureSet);
    if (definition == null) {
      throw new FeatureSetNotFoundException(featureSet, featureSets.keySet());
    }
    return definition;
  }

  /** The feature set's conformer; a feature set dropped meanwhile is not found. */
  private RowConformer conformer(String featureSet) {
    RowConformer conformer = conformers.get(featureSet);
    if (conformer == null) {
      throw new FeatureSetNotFoundException(featureSet, featureSets.keySet());
    }
    return conformer;
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static ClientClosedException closedException() {
    return new ClientClosedException("this BackfillClient is closed; build a new client to go on (its jobs, "
        + "already returned, stay readable)");
  }

  private String newJobId() {
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    return "bf-" + JOB_ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(random);
  }
}
