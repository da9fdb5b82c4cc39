package dev.backfill.duckdb;

import dev.backfill.api.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The check that the path of a DuckDB offline store is a DuckDB database or nothing yet.
 * DuckDB itself opens a Parquet or CSV file given as a database as an in-memory database that
 * holds the file as a view: a store opened that way would accept commits and lose them when the
 * process exits. So anything that exists and does not carry DuckDB's header is refused, an
 * empty file included (DuckDB refuses it too; nothing is lost by deleting it).
 */
final class DatabaseFile {
  /** DuckDB's file header: an 8-byte checksum, then the magic bytes "DUCK". */
  private static final int MAGIC_OFFSET = 8;
  private static final byte[] MAGIC = "DUCK".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private DatabaseFile() {}

  /**
   * Returns when {@code file} does not exist or starts with DuckDB's header.
   *
   * @throws StoreException naming the path and what it is instead
   */
  static void requireDatabaseOrAbsent(Path file) {
    if (!Files.exists(file)) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw notADatabase(file, "a directory", "a database file inside it such as " + file.resolve("offline.duckdb"));
    }
    byte[] head = new byte[MAGIC_OFFSET + MAGIC.length];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new StoreException("duckdb offline store '" + file + "' cannot be opened: reading the file failed: " + e, e);
    }
    if (read == 0) {
      throw notADatabase(file, "an empty file", "delete it and Backfill creates the database there");
    }
    if (read < head.length || !Arrays.equals(head, MAGIC_OFFSET, head.length, MAGIC, 0, MAGIC.length)) {
      String what = Arrays.equals(head, 0, PARQUET_MAGIC.length, PARQUET_MAGIC, 0, PARQUET_MAGIC.length)
          ? "a Parquet file" : "a file of another format";
      throw notADatabase(file, what, "give a new path or an existing DuckDB database file");
    }
  }

  private static StoreException notADatabase(Path file, String what, String remedy) {
    return new StoreException("duckdb offline store path '" + file + "' is not a DuckDB database (it is " + what
        + "); " + remedy);
  }
}
