package dev.backfill.core;

import dev.backfill.api.StoreException;
import dev.backfill.spi.JobEntry;
import dev.backfill.spi.JobHistory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  static final String SUFFIX = ".json";
  static final String SET_ASIDE_SUFFIX = ".bad";
  /** The file whose lock a client holds for its whole life. */
  static final String LOCK_FILE = ".lock";

  private final Path directory;
  private final FileSystemCalls calls;
  /**
   * The histories this JVM holds, by real path. Whether a history is in use is asked here first:
   * on Linux, closing any channel of a file releases every lock the process holds on it, so a
   * probe must never open the lock file of a history this JVM holds. Also guards the lock files.
   */
  private static final Set<Path> HELD = new HashSet<>();

  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Path heldKey;
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
    this.heldKey = realPath(directory);
    synchronized (HELD) {
      if (HELD.contains(heldKey)) {
        throw inUseByAnother(directory);
      }
      FileChannel channel;
      try {
        channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new StoreException("job history " + directory + ": cannot open its lock file: " + e.getMessage(), e);
      }
      FileLock acquired = lock(channel, calls);
      this.lockChannel = channel;
      this.lock = acquired;
      HELD.add(heldKey);
    }
  }

  private static StoreException inUseByAnother(Path directory) {
    return new StoreException("job history " + directory + " is in use by another client; close it first "
        + "or give this client another jobHistory directory");
  }

  private Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      throw new StoreException("job history " + path + ": cannot resolve the directory: " + e.getMessage(), e);
    }
  }

  /** Takes the lock of the channel, or closes it and throws. */
  private FileLock lock(FileChannel channel, FileSystemCalls calls) {
    try {
      FileLock acquired;
      try {
        acquired = calls.tryLock(channel);
      } catch (OverlappingFileLockException e) {
        acquired = null;
      }
      if (acquired == null) {
        throw inUseByAnother(directory);
      }
      return acquired;
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
  /** Saves the job: the client's {@link RunningScopes} has settled conflicts, as the client owns the directory. */
  @Override
  public void submit(JobEntry entry) {
    save(entry);
  }

  @Override
  public synchronized void save(JobEntry record) {
    checkOpen();
    try {
      write(record);
    } catch (ClosedByInterruptException e) {
      // An interrupt (a caller stopping a recovery, say) closed the channel mid-write: the record
      // must still be written whole, so write it again with the interrupt set aside, then restore it.
      boolean interrupted = Thread.interrupted();
      try {
        write(record);
      } catch (IOException again) {
        throw unwritable(record, again);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    } catch (IOException e) {
      throw unwritable(record, e);
    }
  }

  private StoreException unwritable(JobEntry record, IOException e) {
    return new StoreException("job history " + directory + ": cannot write " + record.id() + SUFFIX + ": " + e.getMessage(), e);
  }

  private void write(JobEntry record) throws IOException {
    Path target = directory.resolve(record.id() + SUFFIX);
    Path temp = directory.resolve(record.id() + SUFFIX + ".tmp");
    byte[] json = record.document().getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
  public synchronized List<JobEntry> load() {
    checkOpen();
    List<JobEntry> records = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          records.add(read(file));
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

  /**
   * The record in a job file, checked.
   *
   * @throws IOException or a RuntimeException when the file holds no valid record
   */
  static JobEntry read(Path file) throws IOException {
    String json = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    String name = file.getFileName().toString();
    return JobDocuments.entry(JobDocuments.parse(json, name.substring(0, name.length() - SUFFIX.length())), json);
  }

  static String firstLine(Exception e) {
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
  public String toString() {
    return directory.toString();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (HELD) {
      HELD.remove(heldKey);
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        throw new StoreException("job history " + directory + ": cannot release the lock: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Whether a client (of this or another process) holds the history in the directory now. Opens
   * the lock file for reading only, and not at all when this JVM holds it; creates nothing.
   */
  static boolean inUse(Path directory) {
    Path file = directory.resolve(LOCK_FILE);
    synchronized (HELD) {
      try {
        if (!Files.isRegularFile(file)) {
          return false;
        }
        if (HELD.contains(directory.toRealPath())) {
          return true;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
          FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
          if (probe == null) {
            return true;
          }
          probe.release();
          return false;
        }
      } catch (OverlappingFileLockException e) {
        return true;
      } catch (IOException e) {
        // A lock file that cannot be read or locked tells nothing: the records say what they say.
        return false;
      }
    }
  }
}
