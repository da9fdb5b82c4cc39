package dev.backfill.cli;

import dev.backfill.api.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One command that writes at a time per environment (the commands that only read take no lock:
 * they read the job history alone, see {@link EnvironmentHistory}). The embedded stores and the
 * job history each serve one process, so a second command would fail on whichever lock it met
 * first, with that store's
 * message. This lock is taken first, in the job history's directory, and its file says who holds
 * it (process, command, job), so the second command fails at once with exit code 3 and names the
 * running backfill. The operating system releases it when the holder dies.
 */
final class EnvironmentLock implements AutoCloseable {
  static final String FILE_NAME = ".cli-lock";

  private final FileChannel channel;
  private final FileLock lock;

  private EnvironmentLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the environment whose job history is {@code directory}.
   *
   * @throws EnvironmentBusyException naming the holder when another command has it
   */
  static EnvironmentLock acquire(String environment, Path directory, String owner) {
    Path file = directory.resolve(FILE_NAME);
    FileChannel channel = null;
    try {
      Files.createDirectories(directory);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
        channel.close();
        throw new EnvironmentBusyException("environment '" + environment + "' is in use by "
            + (holder.isEmpty() ? "another command" : holder) + "; wait for it to finish (its stores and job history "
            + directory + " serve one process at a time)");
      }
      EnvironmentLock acquired = new EnvironmentLock(channel, lock);
      acquired.describe(owner);
      return acquired;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException("cannot lock environment '" + environment + "' (" + file + "): " + e.getMessage(), e);
    }
  }

  /**
   * What the lock file of the environment whose job history is {@code directory} says about
   * its holder, when a command holds it; empty when none does. Creates nothing.
   */
  static Optional<String> holder(Path directory) {
    Path file = directory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      FileLock probe;
      try {
        probe = channel.tryLock(0, Long.MAX_VALUE, true);
      } catch (OverlappingFileLockException sameProcess) {
        probe = null;
      }
      if (probe != null) {
        probe.release();
        return Optional.empty();
      }
      String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
      return Optional.of(holder.isEmpty() ? "another command" : holder);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Replaces what the lock file says about its holder, for a command that fails to get the lock. */
  void describe(String owner) {
    try {
      byte[] text = (owner + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(text), 0);
    } catch (IOException e) {
      // the description is a courtesy to other commands; the lock itself holds
    }
  }

  @Override
  public void close() {
    try {
      channel.truncate(0);
      lock.release();
    } catch (IOException e) {
      // closing the channel below releases the lock in any case
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
  }
}
