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
