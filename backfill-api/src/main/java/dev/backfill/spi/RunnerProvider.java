package dev.backfill.spi;

import java.util.Map;

/** Creates {@link Runner}s of one type; registered in {@code META-INF/services}. */
public interface RunnerProvider {
  /** The engine type, e.g. {@code spark}. */
  String type();

  /**
   * A runner from its options.
   *
   * @throws IllegalArgumentException naming an unknown or bad option and the valid ones
   */
  Runner create(Map<String, String> options);
}
