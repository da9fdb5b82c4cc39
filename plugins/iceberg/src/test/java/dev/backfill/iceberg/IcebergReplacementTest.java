package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.TableSpec;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replacement commit against other processes sharing the catalog (two stores on one SQLite
 * catalog and warehouse stand for two processes): validation, retries, history and clean-up.
 */
class IcebergReplacementTest {
  static final Instant DAY0 = Instant.parse("2024-03-01T00:00:00Z");
  static final FeatureSet CLICKS = FeatureSet.builder("clicks").key("user", FieldType.STRING).eventTime("ts")
      .feature("count", FieldType.LONG).backfillStart(DAY0).build();
  static final TableSpec SPEC = CLICKS.table();

  @TempDir Path dir;
  private IcebergOfflineStore first;
  private IcebergOfflineStore second;

  @BeforeEach
  void open() {
    first = open(dir);
    second = open(dir);
    first.createTable(SPEC);
    first.append("clicks", List.of(click("a", day(0, 1), 1), click("b", day(1, 1), 2), click("c", day(2, 1), 3)));
  }

  @AfterEach
  void close() {
    first.close();
    second.close();
  }

  static IcebergOfflineStore open(Path dir) {
    return IcebergOfflineStore.open(IcebergOptions.parse(Map.of("catalog", "jdbc",
        "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"), "warehouse", dir.resolve("warehouse").toString())));
  }

  static Instant day(int day, int hour) {
    return DAY0.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour));
  }

  static Row click(String user, Instant ts, long count) {
    return Row.of(SPEC.schema(), user, ts, count);
  }

  private static TimeRange dayRange(int day) {
    return TimeRange.of(day(day, 0), day(day + 1, 0));
  }

  private List<Row> rows(IcebergOfflineStore store) {
    try (Stream<Row> rows = store.scan("clicks", TimeRange.all())) {
      return rows.toList();
    }
  }

  @Test
  void anotherProcessAppendingInsideTheRangeFailsTheReplacementWhichChangesNothingAndLeavesNoFile() throws IOException {
    OfflineReplacement replacement = first.beginReplace("clicks", Optional.of(dayRange(1)), "job-1");
    replacement.write(List.of(click("b", day(1, 5), 20)));
    Row concurrent = click("d", day(1, 7), 4);
    second.append("clicks", List.of(concurrent));

    assertThatThrownBy(replacement::commit).isInstanceOf(StoreException.class)
        .hasMessageContaining("conflict").hasMessageContaining("job-1").hasMessageContaining("nothing was changed");
    replacement.close();

    assertThat(rows(second)).containsExactlyInAnyOrder(click("a", day(0, 1), 1), click("b", day(1, 1), 2),
        click("c", day(2, 1), 3), concurrent);
    assertThat(first.isCommitted("clicks", "job-1")).isFalse();
    assertThat(filesUnder("job-1")).isEmpty();
    assertThat(first.latest("clicks", List.of(SPEC.keyOf(concurrent)))).containsValue(concurrent);
  }

  @Test
  void latestRowsHeldAfterACommitGiveWayToAnotherProcesssLaterCommit() {
    OfflineReplacement replacement = first.beginReplace("clicks", Optional.of(dayRange(1)), "job-1");
    Row corrected = click("b", day(1, 5), 20);
    replacement.write(List.of(corrected));
    replacement.commit();
    // The reconciliation's lookups: answered from the buckets the commit's catch-up just wrote.
    assertThat(first.latest("clicks", List.of(SPEC.keyOf(corrected)))).containsValue(corrected);

    Row later = click("b", day(3, 1), 7);
    second.append("clicks", List.of(later));

    assertThat(first.latest("clicks", List.of(SPEC.keyOf(corrected), SPEC.keyOf(click("a", DAY0, 0)))))
        .containsOnly(Map.entry(SPEC.keyOf(later), later), Map.entry(SPEC.keyOf(click("a", DAY0, 0)),
            click("a", day(0, 1), 1)));
    replacement.close();
  }

  @Test
  void icebergsDefaultOverwriteWithoutValidationWouldHaveDeletedTheRowOfTheOtherProcess() {
    // What the validation prevents: the same race with a plain overwrite of the range.
    Table table = first.icebergTable("clicks");
    StagedFiles staged = new StagedFiles(table, "unvalidated");
    staged.add(List.of(new TableLayout(SPEC).toRecord(click("b", day(1, 5), 20))));
    List<DataFile> files = staged.finish();
    Row concurrent = click("d", day(1, 7), 4);
    second.append("clicks", List.of(concurrent));

    OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(new TableLayout(SPEC).rangeFilter(dayRange(1)));
    files.forEach(overwrite::addFile);
    overwrite.commit();

    assertThat(rows(second)).doesNotContain(concurrent).contains(click("b", day(1, 5), 20));
  }

  @Test
  void anotherProcessCommittingOutsideTheRangeIsRetriedAndBothCommitsStand() {
    OfflineReplacement replacement = first.beginReplace("clicks", Optional.of(dayRange(1)), "job-2");
    replacement.write(List.of(click("b", day(1, 5), 20)));
    Row outside = click("e", day(3, 2), 5);
    second.append("clicks", List.of(outside));

    assertThat(replacement.commit()).isEqualTo(new OfflineReplacement.Commit(1, 1));
    replacement.close();

    assertThat(rows(second)).containsExactlyInAnyOrder(click("a", day(0, 1), 1), click("b", day(1, 5), 20),
        click("c", day(2, 1), 3), outside);
    assertThat(second.isCommitted("clicks", "job-2")).isTrue();
  }

  @Test
  void aReplacementClosedWithoutACommitDeletesItsFiles() throws IOException {
    OfflineReplacement replacement = first.beginReplace("clicks", Optional.of(dayRange(1)), "job-3");
    List<Row> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(click("u" + i, day(1, 0).plusSeconds(i), i));
    }
    replacement.write(many);
    replacement.close();

    assertThat(filesUnder("job-3")).isEmpty();
    assertThat(rows(first)).hasSize(3);
  }

  @Test
  void aBackfillIsInTheHistoryWithItsJobRangeResetAndCommentAndTheSnapshotBeforeItIsTagged() {
    Table table = first.icebergTable("clicks");
    long before = table.currentSnapshot().snapshotId();
    BackfillResult result;
    try (BackfillClient client = BackfillClient.builder().offlineStore(first).onlineStore(InMemoryOnlineStore.create())
        .clock(Clock.fixed(day(5, 0), ZoneOffset.UTC)).build()) {
      client.register(CLICKS);
      result = client.backfill("clicks").between(day(1, 0), day(2, 0)).comment("late clicks of March 2")
          .source(InMemoryDataSource.of(SPEC.schema(), "ts", List.of(click("b", day(1, 9), 9)))).run();
    }

    table.refresh();
    Map<String, String> summary = table.currentSnapshot().summary();
    assertThat(summary).containsEntry(IcebergOfflineStore.COMMIT_ID, result.jobId())
        .containsEntry(IcebergOfflineStore.RANGE, "[" + day(1, 0) + ", " + day(2, 0) + ")")
        .containsEntry(IcebergOfflineStore.RESET, "false")
        .containsEntry(IcebergOfflineStore.COMMENT, "late clicks of March 2");
    SnapshotRef tag = table.refs().get(IcebergReplacement.TAG_PREFIX + result.jobId());
    assertThat(tag).isNotNull();
    assertThat(tag.isTag()).isTrue();
    assertThat(tag.snapshotId()).isEqualTo(before);

    table.expireSnapshots().expireOlderThan(System.currentTimeMillis() + 1).retainLast(1).commit();
    table.refresh();
    assertThat(table.snapshot(before)).as("the tagged snapshot outlives expiry").isNotNull();
  }

  private List<Path> filesUnder(String commitId) throws IOException {
    Path folder = dir.resolve("warehouse/backfill/clicks/data/" + commitId);
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
