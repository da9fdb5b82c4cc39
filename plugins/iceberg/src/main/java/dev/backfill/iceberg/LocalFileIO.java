package dev.backfill.iceberg;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Iceberg's file access for a warehouse on a local disk ({@code file:} locations or plain
 * paths), with the JDK's file API. Hadoop's local file system, Iceberg's default, starts a
 * {@code chmod} process for every folder and file it creates and writes a checksum file beside
 * each one, which made a small commit cost a quarter of a second; this does neither. Loaded by
 * Iceberg by name (catalog property {@code io-impl}), hence public with a no-argument
 * constructor; not an API of this plugin.
 */
public final class LocalFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  /** Required by Iceberg, which creates file IOs by reflection. */
  public LocalFileIO() {}

  @Override
  public InputFile newInputFile(String path) {
    return org.apache.iceberg.Files.localInput(file(path));
  }

  @Override
  public OutputFile newOutputFile(String path) {
    return org.apache.iceberg.Files.localOutput(file(path));
  }

  @Override
  public void deleteFile(String path) {
    try {
      Files.deleteIfExists(file(path).toPath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  static File file(String path) {
    return path.startsWith("file:") ? new File(URI.create(path)) : new File(path);
  }
}
