package dev.backfill.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One read-write lock per feature set: {@code ingest} holds it shared, online reconciliation
 * batches hold it exclusively (see {@link OnlineReconciler}).
 */
final class FeatureSetLocks {
  private final ConcurrentHashMap<String, ReadWriteLock> locks = new ConcurrentHashMap<>();

  ReadWriteLock forFeatureSet(String featureSet) {
    return locks.computeIfAbsent(featureSet, name -> new ReentrantReadWriteLock());
  }
}
