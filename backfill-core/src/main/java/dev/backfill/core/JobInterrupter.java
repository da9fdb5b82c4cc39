package dev.backfill.core;

import dev.backfill.spi.OfflineReplacement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a running job may be blocked in, so that a cancellation can reach it from another
 * thread: the worker threads (interrupted, for a source blocked in an interruptible call), the
 * slices' open source and transform streams (closed, which stops a JDBC or DuckDB query), and the
 * offline replacement ({@link OfflineReplacement#cancel()}, which stops the store's own queries
 * on the fast path). A flag that the job polls is not enough: a source whose {@code read} never
 * returns never polls it.
 *
 * <p>{@link #abort()} is idempotent and returns at once: streams are closed on a thread of their
 * own, since a stream's close may block. Anything registered after the abort is aborted on
 * registration, so no race lets a slice start unseen. Thread-safe.
 */
final class JobInterrupter {
  private static final Logger log = LoggerFactory.getLogger(JobInterrupter.class);

  private final String jobId;
  private final Set<Thread> workers = new LinkedHashSet<>();
  private final Set<AutoCloseable> streams = Collections.newSetFromMap(new IdentityHashMap<>());
  private OfflineReplacement replacement;
  private boolean aborted;

  JobInterrupter(String jobId) {
    this.jobId = jobId;
  }

  /** The calling thread now works for the job: an abort interrupts it until {@link #leave()}. */
  void enter() {
    boolean interrupt;
    synchronized (this) {
      workers.add(Thread.currentThread());
      interrupt = aborted;
    }
    if (interrupt) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The calling thread no longer works for the job. Clears an interrupt the abort may have set,
   * so that it does not leak into the pool thread's next task.
   */
  void leave() {
    synchronized (this) {
      workers.remove(Thread.currentThread());
    }
    Thread.interrupted();
  }

  /** Registers an open stream; the abort closes it. Returns it, for try-with-resources. */
  <T extends AutoCloseable> T opened(T stream) {
    boolean close;
    synchronized (this) {
      close = aborted;
      if (!close) {
        streams.add(stream);
      }
    }
    if (close) {
      closeQuietly(stream);
    }
    return stream;
  }

  /** The stream was closed by its owner; the abort no longer needs to. */
  synchronized void closed(AutoCloseable stream) {
    streams.remove(stream);
  }

  /** The job's replacement, cancelled by the abort until it is committed or closed. */
  void replacement(OfflineReplacement staged) {
    boolean cancel;
    synchronized (this) {
      replacement = staged;
      cancel = aborted;
    }
    if (cancel) {
      cancelQuietly(staged);
    }
  }

  /** Stops reaching the replacement: its commit must never be cancelled. */
  synchronized void committing() {
    replacement = null;
  }

  synchronized boolean aborted() {
    return aborted;
  }

  /** Interrupts the workers, cancels the replacement and closes the open streams. */
  void abort() {
    List<Thread> threads;
    List<AutoCloseable> open;
    OfflineReplacement staged;
    synchronized (this) {
      if (aborted) {
        return;
      }
      aborted = true;
      threads = new ArrayList<>(workers);
      open = new ArrayList<>(streams);
      streams.clear();
      staged = replacement;
    }
    log.debug("backfill {}: stopping {} worker(s), {} open stream(s){}", jobId, threads.size(), open.size(),
        staged == null ? "" : " and the offline store's staging");
    threads.forEach(Thread::interrupt);
    if (staged != null) {
      cancelQuietly(staged);
    }
    if (!open.isEmpty()) {
      Thread closer = new Thread(() -> open.forEach(JobInterrupter::closeQuietly), "backfill-cancel-" + jobId);
      closer.setDaemon(true);
      closer.start();
    }
  }

  private static void cancelQuietly(OfflineReplacement staged) {
    try {
      staged.cancel();
    } catch (RuntimeException e) {
      log.warn("cancelling the staging of an offline replacement failed", e);
    }
  }

  private static void closeQuietly(AutoCloseable stream) {
    try {
      stream.close();
    } catch (Exception e) {
      // The job is being cancelled: the stream's own error is of no interest any more.
      log.debug("closing a cancelled job's stream failed", e);
    }
  }
}
