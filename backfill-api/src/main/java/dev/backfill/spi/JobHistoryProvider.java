package dev.backfill.spi;

import java.util.Map;

/**
 * Creates {@link JobHistory} instances of one type by name, found by {@link Plugins} through
 * {@link java.util.ServiceLoader}: register the implementation in
 * {@code META-INF/services/dev.backfill.spi.JobHistoryProvider}. {@code backfill-core} registers
 * {@code memory} and {@code file} (option {@code path}); {@code backfill-jdbc-history} registers
 * {@code jdbc}. Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface JobHistoryProvider {
  /** The type name, unique among JobHistory providers, for example in configuration files. */
  String type();

  /**
   * A new history from its options (keys exact, as documented by the plugin), opened for one
   * client: the client closes it.
   *
   * @throws IllegalArgumentException naming the option at fault and what would be valid
   * @throws dev.backfill.api.StoreException when the history cannot be reached or opened, in one
   *     line naming where it is (a directory; a database's host and name)
   */
  JobHistory create(Map<String, String> options);

  /**
   * A history opened only to read it ({@link JobHistory#load()}, {@link JobHistory#find}), for
   * commands that must create and lock nothing: an implementation must not create its storage
   * (a history that does not exist yet holds no jobs) and must not take any lock that keeps a
   * client out. The default is {@link #create}, for a history whose opening writes nothing.
   *
   * @throws IllegalArgumentException as {@link #create} does
   * @throws dev.backfill.api.StoreException as {@link #create} does
   */
  default JobHistory openForReading(Map<String, String> options) {
    return create(options);
  }
}
