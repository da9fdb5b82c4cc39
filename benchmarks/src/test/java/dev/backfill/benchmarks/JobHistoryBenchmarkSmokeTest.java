package dev.backfill.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs {@link JobHistoryBenchmark} tiny: every history type measured, every job succeeded. No timing. */
class JobHistoryBenchmarkSmokeTest {
  @Test
  void everyHistoryIsMeasuredAndEveryJobSucceeds() throws Exception {
    JobHistoryBenchmark.Figures figures = JobHistoryBenchmark.run(3, JobHistoryBenchmark.DEFAULT_URL);
    assertThat(figures.medianMillis()).containsOnlyKeys("memory", "file", "jdbc");
    assertThat(figures.medianMillis().values()).allSatisfy(millis -> assertThat(millis).isPositive());
    assertThat(figures.jobsSucceeded()).isEqualTo(9);
  }
}
