package dev.backfill.testkit;

import java.util.Map;
import java.util.TreeSet;

/** The memory stores take no options; any given is a mistake worth reporting. */
final class MemoryOptions {
  private MemoryOptions() {}

  static void requireNone(Map<String, String> options) {
    if (!options.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + new TreeSet<>(options.keySet())
          + " for type 'memory'; it takes no options");
    }
  }
}
