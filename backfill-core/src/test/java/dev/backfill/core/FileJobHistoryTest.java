package dev.backfill.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillProgress;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJobHistoryTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2024-01-02T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-03T00:00:00Z");
  private static final BackfillPlan PLAN = new BackfillPlan("clicks", TimeRange.of(T0, T2), false, true,
      ClusterTemplate.MEDIUM, List.of(TimeRange.of(T0, T1), TimeRange.of(T1, T2)), Optional.of("fix fares"));

  @TempDir
  Path directory;

  private FileJobHistory history;

  @AfterEach
  void closeHistory() {
    if (history != null) {
      history.close();
    }
  }

  private void save(JobRecord record) {
    history.save(JobDocuments.entry(record));
  }

  private List<JobRecord> load() {
    return history.load().stream().map(JobDocuments::record).toList();
  }

  private static JobRecord running(String id) {
    return JobRecord.of(id, 7, PLAN, T2, new JobRecord.State(BackfillStatus.RUNNING, Optional.empty(),
        new BackfillProgress(1, 2, 10, 4), Optional.empty(), Optional.empty(), false, false, Duration.ofMillis(1500),
        Optional.empty()));
  }

  private static JobRecord succeeded(String id) {
    return JobRecord.of(id, 7, PLAN, T2, new JobRecord.State(BackfillStatus.SUCCEEDED, Optional.of(T2.plusSeconds(5)),
        new BackfillProgress(2, 2, 20, 8, BackfillProgress.Stage.FINISHED, 3, 3),
        Optional.of(new JobRecord.Counts(20, 8, 1, 3, 2, 1, "PT5.000000123S", 4, 6)), Optional.empty(), true, true,
        Duration.parse("PT5.000000123S"), Optional.empty()));
  }

  @Test
  void savedRecordsLoadBackEqual() {
    history = new FileJobHistory(directory);
    JobRecord done = succeeded("job-1");
    JobRecord active = running("job-2");

    save(done);
    save(active);

    assertThat(load()).containsExactlyInAnyOrder(done, active);
    assertThat(done.plan()).isEqualTo(PLAN);
  }

  @Test
  void recordsSurviveANewHistoryOnTheSameDirectory() {
    JobRecord done = succeeded("job-1");
    history = new FileJobHistory(directory);
    save(done);
    history.close();
    history = null;

    history = new FileJobHistory(directory);

    List<JobRecord> loaded = load();
    assertThat(loaded).containsExactly(done);
    assertThat(loaded.get(0).plan()).isEqualTo(PLAN);
    assertThat(loaded.get(0).toResult()).isEqualTo(done.toResult());
  }

  @Test
  void aFailedRecordKeepsItsFailureAndNullsStayAbsent() {
    history = new FileJobHistory(directory);
    BackfillPlan noComment = new BackfillPlan("clicks", TimeRange.of(T0, T1), true, false,
        ClusterTemplate.SMALL, List.of(TimeRange.of(T0, T1)), Optional.empty());
    JobRecord failed = JobRecord.of("job-3", 3, noComment, T1, new JobRecord.State(BackfillStatus.FAILED, Optional.of(T2),
        new BackfillProgress(0, 1, 0, 0), Optional.empty(), Optional.of("source exploded"), false, false, Duration.ZERO,
        Optional.empty()));

    save(failed);

    JobRecord loaded = load().get(0);
    assertThat(loaded).isEqualTo(failed);
    assertThat(loaded.plan().comment()).isEmpty();
    assertThat(loaded.toResult()).isEmpty();
    assertThat(loaded.failure()).isEqualTo("source exploded");
  }

  @Test
  void savingTheSameIdReplacesTheRecord() {
    history = new FileJobHistory(directory);

    save(running("job-1"));
    save(succeeded("job-1"));

    assertThat(load()).containsExactly(succeeded("job-1"));
  }

  @Test
  void aSecondHistoryOnALockedDirectoryIsRefused() {
    history = new FileJobHistory(directory);

    assertThatThrownBy(() -> new FileJobHistory(directory))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(directory.toString())
        .hasMessageContaining("in use");
  }

  @Test
  void closingReleasesTheLock() {
    new FileJobHistory(directory).close();

    history = new FileJobHistory(directory);

    assertThat(load()).isEmpty();
  }

  @Test
  void filesThatHoldNoValidRecordAreSetAsideAndTheOthersLoad() throws IOException {
    // Each of these made every command of the environment fail (a NullPointerException for {}).
    history = new FileJobHistory(directory);
    save(succeeded("job-1"));
    Files.writeString(directory.resolve("stray.json"), "{}", StandardCharsets.UTF_8);
    Files.writeString(directory.resolve("job-2.json"), "", StandardCharsets.UTF_8);
    Files.writeString(directory.resolve("job-3.json"), "{\"id\": \"job-3\", ", StandardCharsets.UTF_8);
    String moved = Files.readString(directory.resolve("job-1.json")).replace("\"id\" : \"job-1\"", "\"id\" : \"job-9\"");
    Files.writeString(directory.resolve("job-4.json"), moved, StandardCharsets.UTF_8);
    String badTime = Files.readString(directory.resolve("job-1.json")).replace("\"job-1\"", "\"job-5\"")
        .replace("2024-01-03T00:00:00Z", "yesterday");
    Files.writeString(directory.resolve("job-5.json"), badTime, StandardCharsets.UTF_8);

    assertThat(load()).containsExactly(succeeded("job-1"));

    try (var files = Files.list(directory)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(name -> !name.startsWith(".")))
          .containsExactlyInAnyOrder("job-1.json", "stray.json.bad", "job-2.json.bad", "job-3.json.bad",
              "job-4.json.bad", "job-5.json.bad");
    }
    assertThat(load()).as("a second load finds nothing left to set aside").containsExactly(succeeded("job-1"));
  }

  @Test
  void aFileSetAsideTwiceKeepsBothCopies() throws IOException {
    history = new FileJobHistory(directory);
    Files.writeString(directory.resolve("stray.json"), "{}", StandardCharsets.UTF_8);
    load();
    Files.writeString(directory.resolve("stray.json"), "", StandardCharsets.UTF_8);

    assertThat(load()).isEmpty();

    assertThat(directory.resolve("stray.json.bad")).hasContent("{}");
    assertThat(directory.resolve("stray.json.bad-2")).hasContent("");
  }

  @Test
  void everySaveForcesTheDirectoryAfterItsRename() {
    // Without it a power loss can undo the rename: the history would forget the record.
    List<String> synced = new ArrayList<>();
    history = new FileJobHistory(directory, new RecordingCalls() {
      @Override
      public void syncDirectory(Path dir) throws IOException {
        synced.add(dir + ": " + Files.exists(dir.resolve("job-1.json")) + ", temporary file left: "
            + Files.exists(dir.resolve("job-1.json.tmp")));
        super.syncDirectory(dir);
      }
    });

    save(running("job-1"));
    save(succeeded("job-1"));

    assertThat(synced).containsExactly(directory + ": true, temporary file left: false",
        directory + ": true, temporary file left: false");
  }

  @Test
  void theLockFileIsClosedWhenTakingTheLockFails() {
    List<FileChannel> channels = new ArrayList<>();
    FileJobHistory.FileSystemCalls failing = new RecordingCalls() {
      @Override
      public FileLock tryLock(FileChannel channel) throws IOException {
        channels.add(channel);
        throw new IOException("No locks available");
      }
    };

    assertThatThrownBy(() -> new FileJobHistory(directory, failing))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(directory.toString())
        .hasMessageContaining("cannot lock the directory: No locks available");
    assertThat(channels).singleElement().satisfies(channel -> assertThat(channel.isOpen()).isFalse());
  }

  @Test
  void aClosedHistoryRefusesToSave() {
    // Its lock is released: another client may own the directory by now.
    history = new FileJobHistory(directory);
    history.close();

    assertThatThrownBy(() -> save(running("job-1"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    history = null;
    assertThat(directory.resolve("job-1.json")).doesNotExist();
  }

  /** The real calls, for a test to override one. */
  private static class RecordingCalls implements FileJobHistory.FileSystemCalls {
    @Override
    public FileLock tryLock(FileChannel channel) throws IOException {
      return FileJobHistory.FileSystemCalls.REAL.tryLock(channel);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      FileJobHistory.FileSystemCalls.REAL.syncDirectory(dir);
    }
  }

  @Test
  void temporaryFilesAreIgnored() throws IOException {
    // A crash between writing the temporary file and the rename leaves exactly this behind.
    history = new FileJobHistory(directory);
    save(succeeded("job-1"));
    Files.writeString(directory.resolve("job-2.json.tmp"), "{\"id\": \"job-2\", ", StandardCharsets.UTF_8);
    Files.writeString(directory.resolve("job-1.json.tmp"), "not json", StandardCharsets.UTF_8);

    assertThat(load()).containsExactly(succeeded("job-1"));
  }

  @Test
  void aNewDirectoryIsCreated() {
    Path nested = directory.resolve("a").resolve("jobs");

    history = new FileJobHistory(nested);
    save(running("job-1"));

    assertThat(nested.resolve("job-1.json")).isRegularFile();
  }
}
