package dev.backfill.spi;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Turns a source's rows into a feature set's rows. Users implement it, often as an anonymous
 * class; anything added here later is a {@code default} method.
 *
 * <p>The engine splits a backfill into time slices and applies the transform to each slice
 * separately, reading the source from {@code slice.start - lookback()}. So an output row with
 * event time {@code t} must depend only on input rows with event times in
 * {@code [t - lookback(), t]}.
 *
 * <p><b>Threads.</b> The slices of a backfill run on several workers at once (up to the cluster
 * template's parallelism), so by default {@link #apply} is called from several threads at the
 * same time, on one instance, and the streams it returns are consumed concurrently. An
 * implementation must then be thread-safe: no shared mutable state without synchronisation (a
 * counter, a cache in a {@code HashMap}, a {@code SimpleDateFormat}). A transform that is not
 * says so ({@link #threadSafe()} false, or wrap it with {@link #singleThreaded}); the engine then
 * runs all slices of its backfill on one worker, one slice after the other in time order, so it
 * gives the same rows on every run whatever the template. {@link #map} and {@link #filter} are as
 * thread-safe as the function they are given.
 */
public interface Transform {
  /**
   * The schema of the rows {@link #apply} returns for input of the given schema; known without
   * reading any data (it is checked at planning).
   */
  Schema outputSchema(Schema input);

  /** How much history before an output row's event time the transform needs; default zero. */
  default Duration lookback() {
    return Duration.ZERO;
  }

  /** Lazily maps the input rows to output rows of {@link #outputSchema}. */
  Stream<Row> apply(Stream<Row> input);

  /**
   * Whether {@link #apply} may be called from several threads at once (see the class comment);
   * default true. Return false for a transform that keeps unsynchronised state: the engine runs
   * every slice of its backfills on one worker, in time order.
   */
  default boolean threadSafe() {
    return true;
  }

  /**
   * The transform, declared not thread-safe: the engine runs every slice of a backfill that uses
   * it on one worker, in time order. For a transform one cannot change (a library's, a lambda
   * with shared state).
   */
  static Transform singleThreaded(Transform transform) {
    return new SingleThreadedTransform(transform);
  }

  /** The transform that returns its input. */
  static Transform identity() {
    return IdentityTransform.INSTANCE;
  }

  /** A row-by-row transform to the given output schema. */
  static Transform map(Schema outputSchema, Function<Row, Row> fn) {
    Objects.requireNonNull(outputSchema, "outputSchema");
    Objects.requireNonNull(fn, "fn");
    return new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return outputSchema;
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input.map(fn);
      }

      @Override
      public String toString() {
        return "Transform.map to " + outputSchema;
      }
    };
  }

  /** Keeps the rows that match, with the input schema. */
  static Transform filter(Predicate<Row> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    return new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return input;
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input.filter(predicate);
      }

      @Override
      public String toString() {
        return "Transform.filter";
      }
    };
  }
}
