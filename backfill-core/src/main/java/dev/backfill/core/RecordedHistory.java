package dev.backfill.core;

import dev.backfill.api.BackfillJob;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.api.StoreException;
import dev.backfill.spi.JobEntry;
import dev.backfill.spi.JobHistory;
import dev.backfill.spi.Plugins;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job history read without a client. A {@link FileJobHistory}'s directory is read without
 * taking its lock or writing anything: the files are replaced by atomic renames, so each one read
 * is a whole record, old or new. A file that holds no valid record is skipped with an error line
 * (the next client sets it aside). A shared history is read through its {@link JobHistory#load()},
 * each unfinished job live while its holder's lease holds.
 */
final class RecordedHistory implements JobHistorySnapshot {
  private static final Logger log = LoggerFactory.getLogger(RecordedHistory.class);

  private final boolean inUse;
  private final Map<String, RecordedJob> jobs;

  private RecordedHistory(boolean inUse, List<RecordedJob> jobs) {
    this.inUse = inUse;
    this.jobs = jobs.stream().collect(Collectors.toUnmodifiableMap(RecordedJob::id, Function.identity()));
  }

  /** The records of a history of any type; a {@code file} history is read without its lock. */
  static JobHistorySnapshot read(String type, Map<String, String> options) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(options, "options");
    if (type.equals("file")) {
      return read(FileJobHistoryProvider.path(options));
    }
    try (JobHistory history = Plugins.jobHistoryForReading(type, options)) {
      List<RecordedJob> jobs = new ArrayList<>();
      for (JobEntry entry : history.load()) {
        jobs.add(new RecordedJob(JobDocuments.record(entry), entry.holder().isPresent()));
      }
      return new RecordedHistory(true, jobs);
    }
  }

  static JobHistorySnapshot read(Path directory) {
    Objects.requireNonNull(directory, "directory");
    // Asked before the records are read: a client that lets go meanwhile has recorded its last state.
    boolean inUse = FileJobHistory.inUse(directory);
    List<RecordedJob> jobs = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return new RecordedHistory(false, jobs);
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + FileJobHistory.SUFFIX)) {
      for (Path file : files) {
        try {
          jobs.add(new RecordedJob(JobDocuments.record(FileJobHistory.read(file)), inUse));
        } catch (NoSuchFileException deleted) {
          // deleted by a drop since the listing
        } catch (IOException | RuntimeException e) {
          log.error("job history {}: skipped {}: it is not a valid job record ({}); a command that opens the "
              + "environment for writing sets it aside as {}{}", directory, file.getFileName(),
              FileJobHistory.firstLine(e), file.getFileName(), FileJobHistory.SET_ASIDE_SUFFIX);
        }
      }
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot list the directory: " + e.getMessage(), e);
    }
    return new RecordedHistory(inUse, jobs);
  }

  @Override
  public boolean inUse() {
    return inUse;
  }

  @Override
  public Optional<BackfillJob> job(String jobId) {
    return Optional.ofNullable(jobs.get(Objects.requireNonNull(jobId, "jobId")));
  }

  @Override
  public List<BackfillJob> jobs(String featureSet) {
    return JobListing.newestFirst(jobs.values(), featureSet, RecordedJob::sequence);
  }
}
