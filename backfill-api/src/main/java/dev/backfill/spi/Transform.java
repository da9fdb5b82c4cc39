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
 * {@code [t - lookback(), t]}. Implementations must be safe to call from several threads.
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
    };
  }
}
