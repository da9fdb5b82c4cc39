package dev.backfill.benchmarks;

import dev.backfill.benchmarks.BackfillWorkload.Outcome;
import dev.backfill.benchmarks.BackfillWorkload.Path;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The end-to-end benchmark: an interval backfill of generated rows through the engine into the
 * in-memory stores, beside the baseline that writes the same rows into the same stores through
 * the SPI without the engine ({@link BackfillWorkload}). Prints one line per iteration (rows/s
 * of both, the ratio engine time / baseline time, the peak heap of each) and a summary of the
 * medians. Exits with status 1 when the paths disagree on what they wrote.
 *
 * <pre>
 * java -Xmx4g -cp benchmarks/target/benchmarks.jar dev.backfill.benchmarks.EngineVsBaseline [rows [keys [iterations]]]
 * </pre>
 *
 * Defaults: 5,000,000 rows, 10,000 keys, 3 measured iterations after 1 warm-up. The order of
 * the two paths alternates from one iteration to the next.
 */
public final class EngineVsBaseline {
  /** The target: the engine takes at most this many times the baseline's time. */
  static final double TARGET_RATIO = 1.5;

  private EngineVsBaseline() {}

  /** The figures of one path in one iteration. */
  record Measurement(Outcome outcome, HeapMeter.Figures heap) {
    double rowsPerSecond() {
      return outcome.rowsPerSecond();
    }

    double seconds() {
      return outcome.nanos() / 1e9;
    }
  }

  public static void main(String[] args) {
    if (args.length > 3 || Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
      System.out.println("usage: EngineVsBaseline [rows [keys [iterations]]]   defaults: 5000000 10000 3 (after 1 warm-up)");
      System.exit(args.length > 3 ? 2 : 0);
    }
    long rows = args.length > 0 ? parse(args[0]) : 5_000_000;
    long keys = args.length > 1 ? parse(args[1]) : 10_000;
    int iterations = args.length > 2 ? (int) parse(args[2]) : 3;
    if (rows < 1 || keys < 1 || iterations < 1) {
      System.err.println("rows, keys and iterations must be positive");
      System.exit(2);
    }
    System.exit(run(rows, keys, iterations) ? 0 : 1);
  }

  /** Runs 1 warm-up and {@code iterations} measured iterations; false when a check failed. */
  static boolean run(long rows, long keys, int iterations) {
    BackfillWorkload workload = BackfillWorkload.create(rows, keys);
    HeapMeter meter = new HeapMeter();
    Runtime runtime = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "EngineVsBaseline: %,d rows, %,d keys, over %s from %s, identity transform, in-memory stores%n",
        rows, keys, BackfillWorkload.SPAN, BackfillWorkload.START);
    System.out.printf(Locale.ROOT, "JVM %s %s, %d cpus, max heap %,d MiB, GC %s, args %s%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"), runtime.availableProcessors(),
        runtime.maxMemory() >> 20, meter.collectorNames(), ManagementFactory.getRuntimeMXBean().getInputArguments());
    System.out.println("peak heap = max of used heap sampled every " + HeapMeter.SAMPLE_MILLIS
        + " ms (in brackets: sum of the heap pools' peak usage, an upper bound); gc = collection time during the run");
    List<Measurement[]> measured = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i <= iterations; i++) {
      String label = i == 0 ? "warm-up" : "iter " + i;
      boolean engineFirst = i % 2 == 0;
      List<String> problems = new ArrayList<>();
      // Each outcome is checked and then stripped of its stores before the next run, so that a
      // run's heap does not include the rows the other path left behind.
      Measurement first = measure(meter, engineFirst ? workload::runEngine : workload::runBaseline, rows, keys, problems);
      Measurement second = measure(meter, engineFirst ? workload::runBaseline : workload::runEngine, rows, keys, problems);
      Measurement engine = engineFirst ? first : second;
      Measurement baseline = engineFirst ? second : first;
      System.out.println(line(label, engine, baseline) + (engineFirst ? "" : "  (baseline ran first)")
          + (problems.isEmpty() ? "" : "  CHECK FAILED: " + String.join("; ", problems)));
      ok &= problems.isEmpty();
      if (i > 0) {
        measured.add(new Measurement[] {engine, baseline});
      }
    }
    double engineRate = median(measured.stream().mapToDouble(m -> m[0].rowsPerSecond()).toArray());
    double baselineRate = median(measured.stream().mapToDouble(m -> m[1].rowsPerSecond()).toArray());
    double ratio = median(measured.stream().mapToDouble(m -> m[0].seconds() / m[1].seconds()).toArray());
    long enginePeak = measured.stream().mapToLong(m -> m[0].heap().sampledPeakMiB()).max().orElse(0);
    long baselinePeak = measured.stream().mapToLong(m -> m[1].heap().sampledPeakMiB()).max().orElse(0);
    System.out.printf(Locale.ROOT,
        "median of %d: engine %,.0f rows/s, baseline %,.0f rows/s, ratio engine/baseline time %.2f "
            + "(target <= %.1f: %s); peak heap (max) engine %,d MiB, baseline %,d MiB%n",
        iterations, engineRate, baselineRate, ratio, TARGET_RATIO, ratio <= TARGET_RATIO ? "met" : "NOT met",
        enginePeak, baselinePeak);
    return ok;
  }

  private static Measurement measure(HeapMeter meter, Supplier<Outcome> run, long rows, long keys, List<String> problems) {
    meter.start();
    Outcome outcome = run.get();
    HeapMeter.Figures heap = meter.stop();
    String problem = check(outcome, rows, keys);
    if (problem != null) {
      problems.add(problem);
    }
    return new Measurement(new Outcome(outcome.path(), outcome.nanos(), outcome.offlineRows(), outcome.onlineKeys(),
        null, null), heap);
  }

  private static String line(String label, Measurement engine, Measurement baseline) {
    return String.format(Locale.ROOT, "%-8s engine %,11.0f rows/s (%6.2f s, peak heap %,6d MiB [%,6d], gc %,6d ms) | "
            + "baseline %,11.0f rows/s (%6.2f s, peak heap %,6d MiB [%,6d], gc %,6d ms) | ratio %.2f",
        label, engine.rowsPerSecond(), engine.seconds(), engine.heap().sampledPeakMiB(),
        engine.heap().poolPeakSumMiB(), engine.heap().gcMillis(),
        baseline.rowsPerSecond(), baseline.seconds(), baseline.heap().sampledPeakMiB(),
        baseline.heap().poolPeakSumMiB(), baseline.heap().gcMillis(),
        engine.seconds() / baseline.seconds());
  }

  /** Null when the run committed every row and wrote one online row per key; else what is wrong. */
  static String check(Outcome o, long rows, long keys) {
    String name = o.path() == Path.ENGINE ? "engine" : "baseline";
    long expectedKeys = Math.min(rows, keys);
    long stored = o.offline().rowCount(GeneratedSource.FEATURE_SET);
    long online = o.online().size(GeneratedSource.FEATURE_SET);
    List<String> problems = new ArrayList<>();
    if (o.offlineRows() != rows || stored != rows) {
      problems.add(name + " committed " + o.offlineRows() + " rows (store holds " + stored + "), expected " + rows);
    }
    if (o.onlineKeys() != expectedKeys || online != expectedKeys) {
      problems.add(name + " wrote " + o.onlineKeys() + " online keys (store holds " + online + "), expected " + expectedKeys);
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static long parse(String text) {
    try {
      return Long.parseLong(text.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      System.err.println("not a number: '" + text + "'; usage: EngineVsBaseline [rows [keys [iterations]]]");
      System.exit(2);
      return 0;
    }
  }
}
