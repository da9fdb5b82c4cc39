package dev.backfill.spi;

import dev.backfill.api.Row;
import java.util.Optional;

/** A condition of {@link WriteCondition}'s factories: its code and its declared form, which agree. */
record DeclaredWriteCondition(DeclaredCondition form, WriteCondition test) implements WriteCondition {
  @Override
  public boolean permits(Optional<Row> stored) {
    return test.permits(stored);
  }

  @Override
  public Optional<DeclaredCondition> declared() {
    return Optional.of(form);
  }
}
