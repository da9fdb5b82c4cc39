package dev.backfill.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Thread helpers shared by the contract tests. */
final class ContractThreads {
  /**
   * How long a test waits for its threads: a guard so that a deadlocked store fails the test
   * instead of hanging the build, not a speed requirement.
   */
  private static final long HANG_GUARD_SECONDS = 120;

  private ContractThreads() {}

  /** A task that receives its thread's index. */
  @FunctionalInterface
  interface IndexedTask {
    void run(int index) throws Exception;
  }

  /** Runs the task on {@code threads} threads released together; rethrows the first failure. */
  static void runConcurrently(int threads, IndexedTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    // Released together, so that the threads really overlap instead of running one after another.
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<Void> callable = () -> {
          go.await();
          task.run(index);
          return null;
        };
        futures.add(pool.submit(callable));
      }
      go.countDown();
      for (Future<Void> future : futures) {
        await(future, "a worker thread");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The future's value, its failure rethrown unwrapped, or an AssertionError if it hangs. */
  static <T> T await(Future<T> future, String what) throws Exception {
    try {
      return future.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not finish within " + HANG_GUARD_SECONDS
          + " s; the store is probably deadlocked", e);
    }
  }
}
