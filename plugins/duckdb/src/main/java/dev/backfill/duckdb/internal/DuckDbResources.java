package dev.backfill.duckdb.internal;

import dev.backfill.api.ClusterTemplate;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory and the threads one DuckDB database may use: {@code memory_limit} and
 * {@code threads}, set when the database opens and, where not explicit, changed to a backfill's
 * {@linkplain #forTemplate template share} while it runs ({@link TemplateLimits}).
 *
 * <p>DuckDB's own defaults are 80% of the machine's memory and every core for each database, and
 * a process has two (the store and the session that reads sources and runs sql transforms), so
 * together they could claim 160% of the memory. The defaults here follow the machine so that the
 * two stay within half of it: each gets a quarter of the physical memory (the container's, when
 * the JVM runs in one) and as many threads as the JVM has processors. Beyond the limit DuckDB
 * spills to its temporary folder, so a smaller limit costs time, not correctness (a query that
 * cannot spill, such as an {@code ART} index build larger than the limit, fails with DuckDB's
 * out-of-memory message).
 *
 * @param memoryLimitBytes the {@code memory_limit} in bytes
 * @param threads the {@code threads}
 */
public record DuckDbResources(long memoryLimitBytes, int threads) {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)");
  private static final Map<String, Long> UNITS = Map.of("B", 1L, "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L,
      "TB", 1_000_000_000_000L, "KIB", 1L << 10, "MIB", 1L << 20, "GIB", 1L << 30, "TIB", 1L << 40);
  /** What DuckDB needs to run a query at all; a smaller limit is refused here rather than by every query. */
  static final long SMALLEST_LIMIT = 64L << 20;

  public DuckDbResources {
    if (memoryLimitBytes < SMALLEST_LIMIT) {
      throw new IllegalArgumentException("memory limit " + memoryLimitBytes + " bytes is below DuckDB's working minimum of 64MiB");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " must be at least 1");
    }
  }

  /** The machine's share: a quarter of the physical memory, one thread per processor. */
  public static DuckDbResources machineDefaults() {
    long physical = physicalMemory();
    return new DuckDbResources(Math.max(SMALLEST_LIMIT, physical / 4), Runtime.getRuntime().availableProcessors());
  }

  /**
   * A backfill's share of the machine by its cluster template, for each of the two databases:
   * SMALL 2 threads and 1/8 of the physical memory, MEDIUM 4 and 3/16, LARGE 8 and 1/4, XLARGE
   * every processor and 3/8; never more threads than processors, never less than 64MiB. Two
   * databases at XLARGE take 3/4 of the memory together, leaving the rest to the JVM and the
   * system.
   */
  public static DuckDbResources forTemplate(ClusterTemplate template) {
    int processors = ClusterTemplate.processors();
    long sixteenths = switch (template) {
      case SMALL -> 2;
      case MEDIUM -> 3;
      case LARGE -> 4;
      case XLARGE -> 6;
    };
    int threads = template == ClusterTemplate.XLARGE ? processors : Math.min(template.parallelism(), processors);
    return new DuckDbResources(Math.max(SMALLEST_LIMIT, physicalMemory() / 16 * sixteenths), threads);
  }

  /**
   * The defaults, with the options {@code memory-limit} (a size such as {@code 512MB} or
   * {@code 2GiB}) and {@code threads} (a whole number from 1) applied when given.
   *
   * @throws IllegalArgumentException naming the option, its value and the valid forms
   */
  public static DuckDbResources fromOptions(PluginOptions options) {
    DuckDbResources defaults = machineDefaults();
    long memory = options.optional("memory-limit").map(DuckDbResources::parseSize).orElse(defaults.memoryLimitBytes());
    int threads = options.optional("threads").map(DuckDbResources::parseThreads).orElse(defaults.threads());
    return new DuckDbResources(memory, threads);
  }

  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("option memory-limit '" + text + "' is not a size; give a number and a unit, "
          + "for example 512MB, 2GB or 1.5GiB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), of at least 64MiB");
    }
    double bytes = Double.parseDouble(m.group(1)) * UNITS.get(m.group(2));
    if (bytes < SMALLEST_LIMIT) {
      throw new IllegalArgumentException("option memory-limit '" + text + "' is below DuckDB's working minimum; "
          + "give at least 64MiB");
    }
    return (long) Math.min(bytes, Long.MAX_VALUE / 2);
  }

  static int parseThreads(String text) {
    try {
      int threads = Integer.parseInt(text.trim());
      if (threads >= 1 && threads <= 4_096) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("option threads '" + text + "' must be a whole number from 1 to 4096");
  }

  /** The two as the statements that set them on an open database, for every connection. */
  public java.util.List<String> setStatements() {
    return java.util.List.of("SET GLOBAL memory_limit = '" + (memoryLimitBytes >> 20) + "MiB'", "SET GLOBAL threads = " + threads);
  }

  /** Sets the two on the properties a database is opened with. */
  public void applyTo(Properties properties) {
    properties.setProperty("memory_limit", (memoryLimitBytes >> 20) + "MiB");
    properties.setProperty("threads", Integer.toString(threads));
  }

  /** For messages and logs: {@code memory-limit 6144MiB, threads 2}. */
  @Override
  public String toString() {
    return "memory-limit " + (memoryLimitBytes >> 20) + "MiB, threads " + threads;
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      // Container-aware since JDK 14: the cgroup's limit inside a container.
      return os.getTotalMemorySize();
    }
    return 4L << 30;
  }
}
