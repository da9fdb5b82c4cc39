package dev.backfill.spi;

import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.util.stream.Stream;

/** {@link Transform#identity()}; a named class so that plans can recognise it. */
final class IdentityTransform implements Transform {
  static final IdentityTransform INSTANCE = new IdentityTransform();

  private IdentityTransform() {}

  @Override
  public Schema outputSchema(Schema input) {
    return input;
  }

  @Override
  public Stream<Row> apply(Stream<Row> input) {
    return input;
  }

  @Override
  public String toString() {
    return "identity";
  }
}
