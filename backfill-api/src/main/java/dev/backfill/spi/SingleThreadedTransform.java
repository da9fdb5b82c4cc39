package dev.backfill.spi;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Duration;
import java.util.Objects;
import java.util.stream.Stream;

/** {@link Transform#singleThreaded}: the wrapped transform, declared not thread-safe. */
final class SingleThreadedTransform implements Transform {
  private final Transform transform;

  SingleThreadedTransform(Transform transform) {
    this.transform = Objects.requireNonNull(transform, "transform");
  }

  @Override
  public Schema outputSchema(Schema input) {
    return transform.outputSchema(input);
  }

  @Override
  public Duration lookback() {
    return transform.lookback();
  }

  @Override
  public Stream<Row> apply(Stream<Row> input) {
    return transform.apply(input);
  }

  @Override
  public boolean threadSafe() {
    return false;
  }

  @Override
  public String toString() {
    return "singleThreaded(" + transform + ")";
  }
}
