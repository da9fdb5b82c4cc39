package dev.backfill.iceberg;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;

/**
 * Commits the data files of concurrent appends to one table together. Each Iceberg commit writes
 * a manifest, a manifest list and a metadata file, so many small concurrent appends (ingest from
 * several threads) would each pay that and wait for one another: instead, the thread that gets
 * the table's commit lock commits every append queued by then in one snapshot, and each caller
 * returns when the commit that holds its files is done (or throws its failure).
 */
final class GroupAppends {
  private final ReentrantLock lock;
  private final Consumer<List<DataFile>> commit;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

  GroupAppends(ReentrantLock lock, Consumer<List<DataFile>> commit) {
    this.lock = lock;
    this.commit = commit;
  }

  /** Commits the files, alone or with others queued at the same time. */
  void append(List<DataFile> files) {
    Pending mine = new Pending(files, new CompletableFuture<>());
    queue.add(mine);
    lock.lock();
    try {
      if (!mine.done.isDone()) {
        List<Pending> batch = new ArrayList<>();
        for (Pending next = queue.poll(); next != null; next = queue.poll()) {
          batch.add(next);
        }
        List<DataFile> all = new ArrayList<>();
        batch.forEach(p -> all.addAll(p.files));
        try {
          commit.accept(all);
          batch.forEach(p -> p.done.complete(null));
        } catch (RuntimeException | Error e) {
          batch.forEach(p -> p.done.completeExceptionally(e));
        }
      }
    } finally {
      lock.unlock();
    }
    try {
      mine.done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while appending", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw (Error) e.getCause();
    }
  }

  private record Pending(List<DataFile> files, CompletableFuture<Void> done) {}
}
