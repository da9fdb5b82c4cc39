package dev.backfill.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One read-write lock per feature set: {@code ingest} holds it shared, online reconciliation
 * batches hold it exclusively (see {@link OnlineReconciler}). Beside it, how many jobs of the
 * feature set have committed offline and not yet reconciled online: while there is one, the
 * online store may lag the offline state, so {@code ingest} must write each key's latest offline
 * row instead of its newest ingested row (which may never have been the latest of any committed
 * state).
 */
final class FeatureSetLocks {
  private final ConcurrentHashMap<String, Guard> guards = new ConcurrentHashMap<>();

  private static final class Guard {
    final ReadWriteLock lock = new ReentrantReadWriteLock();
    final AtomicInteger unreconciled = new AtomicInteger();
  }

  private Guard guard(String featureSet) {
    return guards.computeIfAbsent(featureSet, name -> new Guard());
  }

  ReadWriteLock forFeatureSet(String featureSet) {
    return guard(featureSet).lock;
  }

  /**
   * Called by a job just before its offline commit. Taking the lock exclusively waits for the
   * ingests running now, so that every ingest either finished before the commit could start or
   * sees the count, which it reads under its shared lock.
   */
  void commitStarting(String featureSet) {
    Guard guard = guard(featureSet);
    guard.lock.writeLock().lock();
    try {
      guard.unreconciled.incrementAndGet();
    } finally {
      guard.lock.writeLock().unlock();
    }
  }

  /**
   * Called when a job that called {@link #commitStarting} has reconciled its keys online, or
   * when its commit failed (nothing changed). A job whose reconciliation failed never calls it:
   * its keys stay stale until a client recovers the job, so ingest keeps writing latest rows.
   */
  void reconciled(String featureSet) {
    guard(featureSet).unreconciled.decrementAndGet();
  }

  /** Whether a job of the feature set has committed and not reconciled; ingest asks under its shared lock. */
  boolean hasUnreconciledCommit(String featureSet) {
    return guard(featureSet).unreconciled.get() > 0;
  }
}
