package dev.backfill.iceberg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;

/**
 * The staged files of one commit, written by several threads at once. Each write takes a set of
 * open files ({@link StagedFiles}) that no other thread is writing, and makes a new one when
 * every set is busy: the engine's workers then encode Parquet side by side instead of queueing
 * for one lock-guarded set of files. A thread gets the set it wrote last when that one is free,
 * so that each worker's partitions (its slices' days) stay in one set's files. There are as many sets as writes ever ran at once (the
 * engine's workers), so a partition has at most that many files per commit. Thread-safe.
 */
final class StagingLanes {
  private final Table table;
  private final String commitId;
  private final Set<StagedFiles> idle = new LinkedHashSet<>();
  private final List<StagedFiles> lanes = new ArrayList<>();
  /** The lane each thread wrote last: a worker keeps to its lane, whose files hold its partitions. */
  private final Map<Thread, StagedFiles> lastLane = new HashMap<>();

  StagingLanes(Table table, String commitId) {
    this.table = table;
    this.commitId = commitId;
  }

  /** As {@link StagedFiles#add}: writes the records, returns the path of each one's file. */
  String[] add(List<Record> records) {
    StagedFiles lane;
    synchronized (this) {
      lane = lastLane.get(Thread.currentThread());
      if (lane == null || !idle.contains(lane)) {
        lane = idle.isEmpty() ? null : idle.iterator().next();
      }
      if (lane == null) {
        lane = new StagedFiles(table, commitId);
        lanes.add(lane);
      } else {
        idle.remove(lane);
      }
      lastLane.put(Thread.currentThread(), lane);
    }
    try {
      return lane.add(records);
    } finally {
      synchronized (this) {
        idle.add(lane);
      }
    }
  }

  /** Closes every lane's open files and returns every file written; no write may be running. */
  synchronized List<DataFile> finish() {
    List<DataFile> files = new ArrayList<>();
    for (StagedFiles lane : lanes) {
      files.addAll(lane.finish());
    }
    return files;
  }

  synchronized long rows() {
    return lanes.stream().mapToLong(StagedFiles::rows).sum();
  }

  /** Deletes every file of every lane (a lane being written is deleted once its write ends). */
  synchronized void discard() {
    lanes.forEach(StagedFiles::discard);
  }
}
