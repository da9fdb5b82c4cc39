package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.CorrectedReadings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A child JVM running a backfill on an Iceberg store is halted before, during and after its
 * commit; the table then holds exactly the old or the new snapshot, and the next client settles
 * the job (reconciling the online store, or deleting the staged files of a job that never
 * committed).
 */
class IcebergCrashTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(IcebergCrashChild.Point.class)
  void aBackfillHaltedAroundItsCommitLeavesTheOldOrTheNewSnapshotAndTheNextClientSettlesIt(IcebergCrashChild.Point point)
      throws Exception {
    try (BackfillClient client = client()) {
      client.register(IcebergCrashChild.READINGS.featureSet());
      client.backfill(CorrectedReadings.FEATURE_SET).between(CorrectedReadings.ALL_DAYS.start(),
          CorrectedReadings.ALL_DAYS.stop()).comment("version 1").run();
    }

    String output = runChild(point);

    try (BackfillClient client = client()) {
      client.register(IcebergCrashChild.READINGS.featureSet());
      List<BackfillJob> jobs = client.jobs(CorrectedReadings.FEATURE_SET);
      assertThat(jobs).as("child output:%n%s", output).hasSize(2);
      BackfillJob crashed = jobs.get(0);
      List<Row> offline = offline(client);
      if (point == IcebergCrashChild.Point.AFTER_COMMIT) {
        assertThat(crashed.status()).isEqualTo(BackfillStatus.SUCCEEDED);
        assertThat(offline).containsExactlyInAnyOrderElementsOf(IcebergCrashChild.READINGS.afterCorrection());
      } else {
        assertThat(crashed.status()).isEqualTo(BackfillStatus.FAILED);
        assertThat(offline).containsExactlyInAnyOrderElementsOf(IcebergCrashChild.READINGS.version1());
        assertThat(dataFilesOf(crashed.id())).as("files staged by the job that never committed").isEmpty();
      }
      assertOnlineIsLatestOf(client, offline);
    }
  }

  private BackfillClient client() {
    // Stores named by type: the client owns them and closes them (the RocksDB lock especially).
    return BackfillClient.builder()
        .offlineStore("iceberg", Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
            "warehouse", dir.resolve("warehouse").toString()))
        .onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString()))
        .jobHistory(dir.resolve("jobs")).clock(CorrectedReadings.CLOCK).build();
  }

  private String runChild(IcebergCrashChild.Point point) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), IcebergCrashChild.class.getName(), dir.toString(),
        point.name()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("the child must halt itself; its output:%n%s", output)
        .isEqualTo(IcebergCrashChild.HALT_STATUS);
    return output;
  }

  private List<Path> dataFilesOf(String jobId) throws Exception {
    Path folder = dir.resolve("warehouse/backfill/" + CorrectedReadings.FEATURE_SET + "/data/" + jobId);
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private static List<Row> offline(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline(CorrectedReadings.FEATURE_SET, TimeRange.all())) {
      return rows.toList();
    }
  }

  private static void assertOnlineIsLatestOf(BackfillClient client, List<Row> offline) {
    TableSpec spec = client.featureSet(CorrectedReadings.FEATURE_SET).orElseThrow().table();
    Map<EntityKey, Row> latest = new HashMap<>();
    for (Row row : offline) {
      latest.merge(spec.keyOf(row), row, spec::laterOf);
    }
    for (EntityKey key : IcebergCrashChild.READINGS.keys()) {
      assertThat(client.readOnline(CorrectedReadings.FEATURE_SET, key)).as("online row of %s", key)
          .isEqualTo(Optional.ofNullable(latest.get(key)));
    }
  }
}
