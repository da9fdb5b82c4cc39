package dev.backfill.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backfill.api.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A durable history: one JSON file per job in a directory, each replaced atomically (written to
 * a temporary file, forced to disk, then renamed), so that a crash leaves the old or the new
 * record, never a torn one. The directory is locked for the life of the client, because two
 * live clients recovering each other's jobs would reconcile concurrently.
 */
final class FileJobHistory implements JobHistory {
  private static final String SUFFIX = ".json";
  private final Path directory;
  private final ObjectMapper mapper = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final FileChannel lockChannel;
  private final FileLock lock;

  FileJobHistory(Path directory) {
    this.directory = directory;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot create the directory: " + e.getMessage(), e);
    }
    try {
      this.lockChannel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock acquired;
      try {
        acquired = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        acquired = null;
      }
      if (acquired == null) {
        lockChannel.close();
        throw new StoreException("job history " + directory + " is in use by another client; close it first "
            + "or give this client another jobHistory directory");
      }
      this.lock = acquired;
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot lock the directory: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void save(JobRecord record) {
    Path target = directory.resolve(record.id() + SUFFIX);
    Path temp = directory.resolve(record.id() + SUFFIX + ".tmp");
    try {
      byte[] json = mapper.writeValueAsBytes(record);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(java.nio.ByteBuffer.wrap(json));
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot write " + target.getFileName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void delete(String jobId) {
    Path file = directory.resolve(jobId + SUFFIX);
    try {
      Files.deleteIfExists(file);
      try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException notSupported) {
        // not every platform can sync a directory; the deletion stands, durability is best effort
      }
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot delete " + file.getFileName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<JobRecord> load() {
    List<JobRecord> records = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          records.add(mapper.readValue(file.toFile(), JobRecord.class));
        } catch (IOException e) {
          throw new StoreException("job history file " + file + " is not a valid job record: " + e.getMessage()
              + "; move it away to continue", e);
        }
      }
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot list the directory: " + e.getMessage(), e);
    }
    return records;
  }

  @Override
  public synchronized void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot release the lock: " + e.getMessage(), e);
    }
  }
}
