package dev.backfill.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backfill.api.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable history: one JSON file per job in a directory, each replaced atomically (written to
 * a temporary file, forced to disk, renamed, and the directory forced to disk so that the rename
 * itself survives a power loss), so that a crash leaves the old or the new record, never a torn
 * one. The directory is locked for the life of the client, because two live clients recovering
 * each other's jobs would reconcile concurrently.
 *
 * <p>A file that holds no valid record (a stray {@code {}}, an empty or truncated file, a record
 * whose times or plan do not parse) does not stop the history: {@link #load()} renames it to
 * {@code <name>.bad}, logs an error naming it, and goes on without it.
 */
final class FileJobHistory implements JobHistory {
  private static final Logger log = LoggerFactory.getLogger(FileJobHistory.class);
  private static final String SUFFIX = ".json";
  static final String SET_ASIDE_SUFFIX = ".bad";

  private final Path directory;
  private final FileSystemCalls calls;
  private final ObjectMapper mapper = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final FileChannel lockChannel;
  private final FileLock lock;
  private boolean closed;

  /**
   * The two file-system calls whose failure or effect matters beyond what a test can provoke on
   * a local disk: taking the directory's lock, and forcing the directory's entries to disk.
   */
  interface FileSystemCalls {
    /** {@link FileChannel#tryLock()}: null when another process holds the lock. */
    FileLock tryLock(FileChannel channel) throws IOException;

    /** Forces the directory's entries (created and renamed files) to stable storage. */
    void syncDirectory(Path directory) throws IOException;

    FileSystemCalls REAL = new FileSystemCalls() {
      @Override
      public FileLock tryLock(FileChannel channel) throws IOException {
        return channel.tryLock();
      }

      @Override
      public void syncDirectory(Path directory) throws IOException {
        // Windows cannot open a directory as a channel; NTFS journals its renames itself.
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
          return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
          channel.force(true);
        }
      }
    };
  }

  FileJobHistory(Path directory) {
    this(directory, FileSystemCalls.REAL);
  }

  FileJobHistory(Path directory, FileSystemCalls calls) {
    this.directory = directory;
    this.calls = calls;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot create the directory: " + e.getMessage(), e);
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot open its lock file: " + e.getMessage(), e);
    }
    try {
      FileLock acquired;
      try {
        acquired = calls.tryLock(channel);
      } catch (OverlappingFileLockException e) {
        acquired = null;
      }
      if (acquired == null) {
        throw new StoreException("job history " + directory + " is in use by another client; close it first "
            + "or give this client another jobHistory directory");
      }
      this.lockChannel = channel;
      this.lock = acquired;
    } catch (IOException e) {
      throw closing(channel, new StoreException("job history " + directory + ": cannot lock the directory: "
          + e.getMessage(), e));
    } catch (RuntimeException e) {
      throw closing(channel, e);
    } catch (Error e) {
      throw closing(channel, e);
    }
  }

  /** Closes the lock file that a failed constructor opened; returns the failure to throw. */
  private static <T extends Throwable> T closing(FileChannel channel, T failure) {
    try {
      channel.close();
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
    return failure;
  }

  /**
   * @throws StoreException naming the file when it cannot be written, forced to disk or renamed
   * @throws IllegalStateException after {@link #close()}: another client may own the directory
   */
  @Override
  public synchronized void save(JobRecord record) {
    checkOpen();
    Path target = directory.resolve(record.id() + SUFFIX);
    Path temp = directory.resolve(record.id() + SUFFIX + ".tmp");
    try {
      byte[] json = mapper.writeValueAsBytes(record);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(json);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      move(temp, target);
      calls.syncDirectory(directory);
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot write " + target.getFileName() + ": " + e.getMessage(), e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Every valid record; files that hold none are set aside (see the class comment). */
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
    checkOpen();
    List<JobRecord> records = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          JobRecord record = mapper.readValue(file.toFile(), JobRecord.class);
          record.check(file.getFileName().toString().substring(0, file.getFileName().toString().length() - SUFFIX.length()));
          records.add(record);
        } catch (IOException | RuntimeException e) {
          setAside(file, e);
        }
      }
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot list the directory: " + e.getMessage(), e);
    }
    return records;
  }

  private void setAside(Path file, Exception problem) {
    String reason = firstLine(problem);
    Path aside = file.resolveSibling(file.getFileName() + SET_ASIDE_SUFFIX);
    for (int n = 2; Files.exists(aside); n++) {
      aside = file.resolveSibling(file.getFileName() + SET_ASIDE_SUFFIX + "-" + n);
    }
    try {
      move(file, aside);
      calls.syncDirectory(directory);
      log.error("job history {}: set aside {} as {}: it is not a valid job record ({}); the other jobs are unaffected",
          directory, file.getFileName(), aside.getFileName(), reason);
    } catch (IOException e) {
      log.error("job history {}: ignored {}: it is not a valid job record ({}), and it cannot be renamed to {} ({})",
          directory, file.getFileName(), reason, aside.getFileName(), e.toString());
    }
  }

  private static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("job history " + directory + " is closed; its lock is released");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new StoreException("job history " + directory + ": cannot release the lock: " + e.getMessage(), e);
    }
  }
}
