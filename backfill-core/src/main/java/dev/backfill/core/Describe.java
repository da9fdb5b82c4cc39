package dev.backfill.core;

import dev.backfill.spi.DataSource;
import dev.backfill.spi.Transform;

/**
 * How log lines and error messages name a user's source or transform: its own
 * {@code toString()} when it has one (the plugins name their type and options), else its class
 * and what it declares, instead of {@code Transform$1@5e2de80c}.
 */
final class Describe {
  private Describe() {}

  static String source(DataSource source) {
    if (hasOwnToString(source)) {
      return String.valueOf(source);
    }
    String schema;
    try {
      schema = String.valueOf(source.schema());
    } catch (RuntimeException e) {
      schema = "(its schema() failed: " + e + ")";
    }
    return "a DataSource (" + source.getClass().getName() + ") of schema " + schema;
  }

  static String transform(Transform transform) {
    if (hasOwnToString(transform)) {
      return String.valueOf(transform);
    }
    String lookback;
    try {
      lookback = transform.lookback().isZero() ? "" : " with lookback " + transform.lookback();
    } catch (RuntimeException e) {
      lookback = " (its lookback() failed: " + e + ")";
    }
    return "a Transform (" + transform.getClass().getName() + ")" + lookback;
  }

  private static boolean hasOwnToString(Object o) {
    try {
      return o.getClass().getMethod("toString").getDeclaringClass() != Object.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
