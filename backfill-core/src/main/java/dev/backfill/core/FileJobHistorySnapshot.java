package dev.backfill.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.JobHistorySnapshot;
import dev.backfill.api.StoreException;
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
 * A {@link FileJobHistory}'s directory, read without taking its lock or writing anything: the
 * files are replaced by atomic renames, so each one read is a whole record, old or new. A file
 * that holds no valid record is skipped with an error line (the next client sets it aside).
 */
final class FileJobHistorySnapshot implements JobHistorySnapshot {
  private static final Logger log = LoggerFactory.getLogger(FileJobHistorySnapshot.class);

  private final boolean inUse;
  private final Map<String, RecordedJob> jobs;

  private FileJobHistorySnapshot(boolean inUse, List<RecordedJob> jobs) {
    this.inUse = inUse;
    this.jobs = jobs.stream().collect(Collectors.toUnmodifiableMap(RecordedJob::id, Function.identity()));
  }

  static JobHistorySnapshot read(Path directory) {
    Objects.requireNonNull(directory, "directory");
    // Asked before the records are read: a client that lets go meanwhile has recorded its last state.
    boolean inUse = FileJobHistory.inUse(directory);
    ObjectMapper mapper = FileJobHistory.mapper();
    List<RecordedJob> jobs = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return new FileJobHistorySnapshot(false, jobs);
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + FileJobHistory.SUFFIX)) {
      for (Path file : files) {
        try {
          jobs.add(new RecordedJob(FileJobHistory.read(mapper, file), inUse));
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
    return new FileJobHistorySnapshot(inUse, jobs);
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
