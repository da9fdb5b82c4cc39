package dev.backfill.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * DuckDB's and RocksDB's native libraries (57 MB and 14.5 MB), extracted once next to
 * {@code backfill.jar} instead of into a new temporary file on every start, which a
 * {@code kill -9} or a crash left behind in the temporary folder.
 *
 * <p>DuckDB's JDBC driver (1.4) extracts its library whenever the class path holds it, and
 * otherwise loads it from {@code java.library.path} or from its jar's folder; the build moves the
 * libraries in {@code backfill.jar} to {@value #DUCKDB_RESOURCES}, and this class writes the one
 * of this platform into the jar's folder under the driver's name. RocksDB (9.7) extracts unless
 * {@code RocksDB.loadLibrary(folders)} loaded a file already on disk first; this class writes that
 * file and calls it. Each file is written under a temporary name and renamed into place, and kept
 * while a stamp beside it matches the jar's copy (checksum and size), so one build extracts each
 * library once and concurrent commands never load a half-written file.
 *
 * <p>Outside {@code backfill.jar} (the tests, an IDE) this does nothing and the drivers extract as
 * they always do.
 */
final class NativeLibraries {
  static final String DUCKDB_RESOURCES = "dev/backfill/native/duckdb/";
  private static final String TEMPORARY_SUFFIX = ".tmp";

  private NativeLibraries() {}

  /**
   * Puts the libraries in place and loads RocksDB's; call before any store is opened.
   *
   * @throws UncheckedIOException naming the folder when a library cannot be written there
   */
  static void prepare() {
    Optional<Path> jar = jarOf(NativeLibraries.class);
    if (jar.isEmpty()) {
      return;
    }
    Path folder = jar.get().toAbsolutePath().getParent();
    try (JarFile file = new JarFile(jar.get().toFile())) {
      removeLeftovers(folder);
      if (jar.equals(duckDbDriverJar())) {
        extract(file, DUCKDB_RESOURCES + duckDbLibraryName(), folder.resolve(duckDbLibraryName()));
      }
      String rocksDb = Environment.getJniLibraryFileName("rocksdb");
      // RocksDB.loadLibrary(folders) looks for this name (in 9.7 "librocksdbjnijni-linux64.so").
      if (extract(file, rocksDb, folder.resolve(Environment.getJniLibraryFileName("rocksdbjni")))) {
        try {
          RocksDB.loadLibrary(List.of(folder.toString()));
        } catch (UnsatisfiedLinkError e) {
          // RocksDB then extracts its library itself when a store opens, as without this class
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot put DuckDB's and RocksDB's native libraries next to " + jar.get()
          + " (" + e.getMessage() + "); the folder of backfill.jar must be writable", e);
    }
  }

  /** The driver's own name for this platform's library, as its loader builds it. */
  static String duckDbLibraryName() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).trim();
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT).trim();
    String osName = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "osx" : "linux";
    String archName = osName.equals("osx") ? "universal"
        : arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64";
    return "libduckdb_java.so_" + osName + "_" + archName;
  }

  /** Writes the entry to {@code target} unless it is there already; false when the jar has no such entry. */
  private static boolean extract(JarFile jar, String entryName, Path target) throws IOException {
    JarEntry entry = jar.getJarEntry(entryName);
    if (entry == null) {
      return false;
    }
    Path stamp = target.resolveSibling("." + target.getFileName() + ".stamp");
    String expected = Long.toHexString(entry.getCrc()) + " " + entry.getSize();
    if (Files.isRegularFile(target) && Files.size(target) == entry.getSize() && Files.isRegularFile(stamp)
        && Files.readString(stamp, StandardCharsets.UTF_8).equals(expected)) {
      return true;
    }
    Path temporary = temporary(target);
    try (InputStream in = jar.getInputStream(entry)) {
      Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
    }
    moveIntoPlace(temporary, target);
    Path stampTemporary = temporary(stamp);
    Files.writeString(stampTemporary, expected, StandardCharsets.UTF_8);
    moveIntoPlace(stampTemporary, stamp);
    return true;
  }

  private static Path temporary(Path target) {
    return target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + TEMPORARY_SUFFIX);
  }

  /** A rename over the old file: a process that loaded the old one keeps it, a new one gets the whole new one. */
  private static void moveIntoPlace(Path temporary, Path target) throws IOException {
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Temporary files of processes killed while extracting. */
  private static void removeLeftovers(Path folder) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + TEMPORARY_SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String withoutSuffix = name.substring(0, name.length() - TEMPORARY_SUFFIX.length());
        String pid = withoutSuffix.substring(withoutSuffix.lastIndexOf('.') + 1);
        if (!pid.isEmpty() && pid.chars().allMatch(Character::isDigit)
            && !ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private static Optional<Path> duckDbDriverJar() {
    try {
      return jarOf(Class.forName("org.duckdb.DuckDBDriver", false, NativeLibraries.class.getClassLoader()));
    } catch (ClassNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The jar file a class was loaded from, when it was loaded from a jar that carries the moved DuckDB libraries. */
  private static Optional<Path> jarOf(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    Path path;
    try {
      path = Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      return jar.stream().anyMatch(e -> e.getName().startsWith(DUCKDB_RESOURCES)) ? Optional.of(path) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
