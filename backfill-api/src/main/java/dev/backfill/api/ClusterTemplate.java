package dev.backfill.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The size of the worker pool a backfill asks for. The engine runs at most
 * {@link #parallelism()} slices at once, bounded by the processors of the machine.
 */
public enum ClusterTemplate {
  SMALL(2),
  MEDIUM(4),
  LARGE(8),
  XLARGE(16);

  private final int parallelism;

  ClusterTemplate(int parallelism) {
    this.parallelism = parallelism;
  }

  /** The number of parallel workers: 2, 4, 8 or 16. */
  public int parallelism() {
    return parallelism;
  }

  /**
   * The workers a job of this template runs its slices on, on this machine:
   * {@code min(parallelism(), available processors, slices)}, at least 1; and 1 for a transform
   * that is not thread-safe ({@link dev.backfill.spi.Transform#threadSafe()}), whose slices run
   * one after the other. The engine uses exactly this number on the path that streams rows
   * through the JVM.
   */
  public int workers(int slices, boolean threadSafeTransform) {
    return threadSafeTransform ? Math.max(1, Math.min(Math.min(parallelism, processors()), slices)) : 1;
  }

  /** The processors of this machine that the JVM may use. */
  public static int processors() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Parses a template name, case-insensitive.
   *
   * @throws InvalidBackfillRequestException naming the valid templates, for an unknown name and
   *     for null (as {@link FieldType#parse} and {@link BackfillTimes#parse} do)
   */
  public static ClusterTemplate parse(String text) {
    String valid = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (case-insensitive)";
    if (text == null) {
      throw new InvalidBackfillRequestException("missing cluster template; valid templates: " + valid);
    }
    for (ClusterTemplate template : values()) {
      if (template.name().equalsIgnoreCase(text.trim())) {
        return template;
      }
    }
    throw new InvalidBackfillRequestException("unknown cluster template '" + Values.escape(text) + "'; valid templates: "
        + valid);
  }

  /** The lower-case name used in configuration files. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
