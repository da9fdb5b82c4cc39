package dev.backfill.duckdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * The version of the files a file source reads ({@link dev.backfill.spi.DataSource#fingerprint}):
 * each file's size, modification time and identity (a file replaced by another of the same size
 * and time has another identity), condensed into a readable summary and a digest of the whole
 * listing. Any file added, removed, resized, rewritten or touched changes it.
 */
final class FileFingerprint {
  private FileFingerprint() {}

  /** The fingerprint of the listed files; an empty list is "no file". */
  static String of(List<Path> files) {
    StringBuilder listing = new StringBuilder();
    long bytes = 0;
    FileTime latest = null;
    int missing = 0;
    for (Path file : new TreeSet<>(files)) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        bytes += attributes.size();
        latest = latest == null || attributes.lastModifiedTime().compareTo(latest) > 0 ? attributes.lastModifiedTime() : latest;
        listing.append(file).append('\t').append(attributes.size()).append('\t').append(attributes.lastModifiedTime())
            .append('\t').append(attributes.fileKey()).append('\n');
      } catch (NoSuchFileException e) {
        missing++;
        listing.append(file).append("\tmissing\n");
      } catch (IOException e) {
        listing.append(file).append("\tunreadable: ").append(e.getMessage()).append('\n');
      }
    }
    if (files.isEmpty()) {
      return "no file";
    }
    String summary = files.size() == 1
        ? (missing == 1 ? "no such file" : String.format("%,d bytes, modified %s", bytes, latest))
        : String.format("%,d files%s, %,d bytes, last modified %s", files.size(),
            missing > 0 ? " (" + missing + " missing)" : "", bytes, latest);
    return summary + ", #" + digest(listing.toString());
  }

  private static String digest(String listing) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(listing.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
