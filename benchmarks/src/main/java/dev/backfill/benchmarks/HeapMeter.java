package dev.backfill.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Measures the heap of one run, two ways:
 *
 * <ul>
 *   <li><b>sampled</b> (the figure reported as "peak heap"): a daemon thread reads
 *       {@code Runtime.totalMemory() - freeMemory()} every {@value #SAMPLE_MILLIS} ms and keeps
 *       the maximum. It can miss a spike shorter than the interval, so it is a lower bound of
 *       the true peak, but it is the used heap at one moment;</li>
 *   <li><b>pool peaks</b>: the sum over the heap {@link MemoryPoolMXBean}s (eden, survivor,
 *       old) of their peak usage since {@link #start()} reset them. The pools peak at different
 *       moments (eden just before a collection, old after it), so the sum is an upper bound.</li>
 * </ul>
 *
 * {@link #start()} runs {@link System#gc()} first so that a run does not pay for, or count,
 * the garbage of the one before. Also reports the time and count of collections in between.
 * One meter measures one run at a time.
 */
final class HeapMeter {
  static final long SAMPLE_MILLIS = 5;

  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isValid()).toList();
  private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
  private volatile boolean sampling;
  private volatile long sampledPeak;
  private Thread sampler;
  private long gcMillisAtStart;
  private long gcCountAtStart;

  /** What one run used. */
  record Figures(long sampledPeakBytes, long poolPeakSumBytes, long gcMillis, long gcCount) {
    long sampledPeakMiB() {
      return sampledPeakBytes >> 20;
    }

    long poolPeakSumMiB() {
      return poolPeakSumBytes >> 20;
    }
  }

  void start() {
    System.gc();
    System.gc();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    gcMillisAtStart = gcMillis();
    gcCountAtStart = gcCount();
    Runtime runtime = Runtime.getRuntime();
    sampledPeak = runtime.totalMemory() - runtime.freeMemory();
    sampling = true;
    sampler = new Thread(() -> {
      while (sampling) {
        long used = runtime.totalMemory() - runtime.freeMemory();
        if (used > sampledPeak) {
          sampledPeak = used;
        }
        try {
          Thread.sleep(SAMPLE_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  Figures stop() {
    sampling = false;
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long poolPeaks = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    return new Figures(sampledPeak, poolPeaks, gcMillis() - gcMillisAtStart, gcCount() - gcCountAtStart);
  }

  /** The names of the collectors, for the header. */
  String collectorNames() {
    return String.join(", ", collectors.stream().map(GarbageCollectorMXBean::getName).toList());
  }

  private long gcMillis() {
    return collectors.stream().mapToLong(c -> Math.max(0, c.getCollectionTime())).sum();
  }

  private long gcCount() {
    return collectors.stream().mapToLong(c -> Math.max(0, c.getCollectionCount())).sum();
  }
}
