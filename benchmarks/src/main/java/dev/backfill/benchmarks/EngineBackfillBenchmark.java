package dev.backfill.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH form of {@link EngineVsBaseline}: one interval backfill of {@code rows} generated rows
 * ({@code keys} keys, identity transform) into fresh in-memory stores per invocation, through
 * the engine ({@link #engine}) and through the SPI without the engine ({@link #baseline}); see
 * {@link BackfillWorkload}. Single-shot: each measured iteration is one whole backfill, reported
 * in milliseconds; rows/s = rows / time. The smaller default size keeps a full run at a couple
 * of minutes; {@code -p rows=5000000} gives the size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class EngineBackfillBenchmark {
  @Param("1000000")
  public long rows;

  @Param("10000")
  public long keys;

  private BackfillWorkload workload;

  @Setup(Level.Trial)
  public void createWorkload() {
    workload = BackfillWorkload.create(rows, keys);
  }

  /** Not timed: the stores of the previous shot are garbage; collect them before this one. */
  @Setup(Level.Iteration)
  public void collectGarbage() {
    System.gc();
    System.gc();
  }

  @Benchmark
  public BackfillWorkload.Outcome engine() {
    return workload.runEngine();
  }

  @Benchmark
  public BackfillWorkload.Outcome baseline() {
    return workload.runBaseline();
  }
}
