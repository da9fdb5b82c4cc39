package dev.backfill.spi;

import dev.backfill.api.Row;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link WriteCondition} described as data, so that a store can evaluate it where the key
 * lives (in a server-side script, for example) instead of calling {@link WriteCondition#permits}
 * in the client between a read and a write. The engine's conditions all have a declared form
 * ({@link WriteCondition#declared()}); a user's lambda has none, and a store must then evaluate
 * {@link WriteCondition#permits} itself.
 *
 * <p>A store that evaluates a declared form must reach exactly the decision
 * {@link WriteCondition#permits} would reach on the same stored row.
 */
public sealed interface DeclaredCondition {
  /** Always permits. */
  record Always() implements DeclaredCondition {}

  /**
   * Permits when nothing is stored or the stored row is before {@code row} in the
   * {@link TableSpec#latestOrder()} of the table written to (newest wins).
   */
  record StoredBefore(Row row) implements DeclaredCondition {
    public StoredBefore {
      Objects.requireNonNull(row, "row");
    }
  }

  /**
   * Permits when nothing is stored or the stored row's event time (column
   * {@code eventTimeColumn}) is before {@code fence}.
   */
  record StoredBeforeFence(String eventTimeColumn, Instant fence) implements DeclaredCondition {
    public StoredBeforeFence {
      Objects.requireNonNull(eventTimeColumn, "eventTimeColumn");
      Objects.requireNonNull(fence, "fence");
    }
  }
}
