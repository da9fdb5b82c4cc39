package dev.backfill.examples.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.OnlineRepairResult;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.CorrectedReadings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash safety of the embedded default (DuckDB offline, RocksDB online, a durable job history):
 * a child JVM runs a corrected interval backfill and is halted abruptly at several points; a
 * client newly built on the same files must end consistent: the offline data is the old or the
 * new, never a mix, and after recovery the online store holds latest(O', k) for every key. A
 * child halted inside an ingest (after its offline append, before its online write) leaves keys
 * that no job recovers: {@code repairOnline} mends them.
 */
class EmbeddedDefaultCrashTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(HaltingBackfill.Point.class)
  void aBackfillHaltedAbruptlyEndsConsistentOnceANewClientRecovers(HaltingBackfill.Point point) throws Exception {
    try (BackfillClient client = CrashScenario.client(dir)) {
      client.register(CrashScenario.featureSet());
      client.backfill(CorrectedReadings.FEATURE_SET).between(CorrectedReadings.ALL_DAYS.start(), CorrectedReadings.ALL_DAYS.stop())
          .comment("version 1").run();
    }

    runChild(HaltingBackfill.class, dir.toString(), point.name());

    try (BackfillClient client = CrashScenario.client(dir)) {
      client.register(CrashScenario.featureSet());
      List<BackfillJob> jobs = client.jobs(CorrectedReadings.FEATURE_SET);
      assertThat(jobs).hasSize(2);
      BackfillJob crashed = jobs.get(0);
      List<Row> offline = offline(client);
      if (point == HaltingBackfill.Point.WHILE_READING) {
        assertThat(crashed.status()).isEqualTo(BackfillStatus.FAILED);
        assertThat(crashed.failure()).hasValueSatisfying(m -> assertThat(m).contains("before its offline commit"));
        assertSameRows(offline, CrashScenario.version1());
      } else {
        assertThat(crashed.status()).isEqualTo(BackfillStatus.SUCCEEDED);
        assertSameRows(offline, CrashScenario.afterCorrection());
      }
      assertOnlineIsLatestOf(client, offline);
    }
  }

  @Test
  void anIngestHaltedBetweenItsOfflineAppendAndItsOnlineWriteIsMendedByRepairOnline() throws Exception {
    try (BackfillClient client = CrashScenario.client(dir)) {
      client.register(CrashScenario.featureSet());
      client.backfill(CorrectedReadings.FEATURE_SET).between(CorrectedReadings.ALL_DAYS.start(), CorrectedReadings.ALL_DAYS.stop())
          .comment("version 1").run();
    }

    runChild(HaltingIngest.class, dir.toString());

    try (BackfillClient client = CrashScenario.client(dir)) {
      client.register(CrashScenario.featureSet());
      List<Row> offline = offline(client);
      assertThat(offline).hasSize(CrashScenario.version1().size() + HaltingIngest.SENSORS)
          .containsAll(HaltingIngest.rows());
      Row newest = HaltingIngest.rows().get(0);
      assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, EntityKey.of("s0"))).as("stale: no job knew of the ingest")
          .isNotEqualTo(Optional.of(newest));

      OnlineRepairResult repair = client.repairOnline(CorrectedReadings.FEATURE_SET);

      assertThat(repair.keysWritten()).isEqualTo(HaltingIngest.SENSORS);
      assertThat(repair.keysDeleted()).isZero();
      assertOnlineIsLatestOf(client, offline);
    }
  }

  /** Runs a child JVM on this test's class path and checks that it halted itself. */
  private static void runChild(Class<?> main, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("the child %s must halt itself; its output:%n%s", main.getSimpleName(), output)
        .isEqualTo(HaltingBackfill.HALT_STATUS);
  }

  private static List<Row> offline(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline(CorrectedReadings.FEATURE_SET, TimeRange.all())) {
      return rows.toList();
    }
  }

  private static void assertSameRows(List<Row> actual, List<Row> expected) {
    assertThat(actual).hasSize(expected.size());
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static void assertOnlineIsLatestOf(BackfillClient client, List<Row> offline) throws IOException {
    TableSpec spec = client.featureSet(CorrectedReadings.FEATURE_SET).orElseThrow().table();
    Map<EntityKey, Row> latest = new HashMap<>();
    for (Row row : offline) {
      latest.merge(spec.keyOf(row), row, spec::laterOf);
    }
    for (EntityKey key : CrashScenario.READINGS.keys()) {
      assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, key)).as("online row of %s", key)
          .isEqualTo(Optional.ofNullable(latest.get(key)));
    }
  }
}
