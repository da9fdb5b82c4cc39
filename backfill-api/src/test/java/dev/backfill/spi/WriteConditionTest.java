package dev.backfill.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WriteConditionTest {
  private static final Instant FENCE = Instant.parse("2024-01-10T00:00:00Z");
  private static final Schema SCHEMA = Schema.of(
      new Field("user", FieldType.STRING),
      new Field("ts", FieldType.TIMESTAMP),
      new Field("n", FieldType.LONG));
  private static final TableSpec TABLE = new TableSpec("clicks", SCHEMA, List.of("user"), "ts");

  private static Row row(Instant ts, long n) {
    return Row.of(SCHEMA, "u1", ts, n);
  }

  @Test
  void alwaysPermits() {
    WriteCondition always = WriteCondition.always();

    assertThat(always.permits(Optional.empty())).isTrue();
    assertThat(always.permits(Optional.of(row(FENCE.plusSeconds(1), 1)))).isTrue();
  }

  @Test
  void storedBeforePermitsOnlyWhenTheNewRowIsLater() {
    Row candidate = row(FENCE, 5);
    WriteCondition condition = WriteCondition.storedBefore(TABLE.latestOrder(), candidate);

    assertThat(condition.permits(Optional.empty())).isTrue();
    assertThat(condition.permits(Optional.of(row(FENCE.minusSeconds(1), 9)))).isTrue();
    assertThat(condition.permits(Optional.of(row(FENCE, 4)))).isTrue();
    // An equal row is not "before": re-ingesting it is a no-op rather than a write.
    assertThat(condition.permits(Optional.of(row(FENCE, 5)))).isFalse();
    assertThat(condition.permits(Optional.of(row(FENCE, 6)))).isFalse();
    assertThat(condition.permits(Optional.of(row(FENCE.plusSeconds(1), 0)))).isFalse();
  }

  @Test
  void storedBeforeFenceProtectsRowsAtOrAfterTheFence() {
    WriteCondition condition = WriteCondition.storedBeforeFence("ts", FENCE);

    assertThat(condition.permits(Optional.empty())).isTrue();
    assertThat(condition.permits(Optional.of(row(FENCE.minusNanos(1), 1)))).isTrue();
    assertThat(condition.permits(Optional.of(row(FENCE, 1)))).isFalse();
    assertThat(condition.permits(Optional.of(row(FENCE.plusSeconds(3600), 1)))).isFalse();
  }

  @Test
  void onlineWriteFactoriesCarryTheirConditions() {
    EntityKey key = EntityKey.of("u1");
    Row later = row(FENCE, 2);
    Optional<Row> stored = Optional.of(row(FENCE, 3));

    assertThat(OnlineWrite.put(key, later).condition().permits(stored)).isTrue();
    assertThat(OnlineWrite.delete(key).isDelete()).isTrue();
    assertThat(OnlineWrite.putIfLater(key, later, TABLE.latestOrder()).condition().permits(stored)).isFalse();
    assertThat(OnlineWrite.fenced(key, Optional.empty(), "ts", FENCE).condition().permits(stored)).isFalse();
    assertThat(OnlineWrite.fenced(key, Optional.empty(), "ts", FENCE.plusNanos(1)).condition().permits(stored))
        .isTrue();
  }

  @Test
  void theEnginesConditionsDeclareThemselvesAndALambdaOrAnotherOrderDoesNot() {
    Row candidate = row(FENCE, 5);

    assertThat(WriteCondition.always().declared()).contains(new DeclaredCondition.Always());
    assertThat(WriteCondition.storedBefore(TABLE.latestOrder(), candidate).declared())
        .contains(new DeclaredCondition.StoredBefore(candidate));
    assertThat(WriteCondition.storedBeforeFence("ts", FENCE).declared())
        .contains(new DeclaredCondition.StoredBeforeFence("ts", FENCE));
    assertThat(OnlineWrite.fenced(EntityKey.of("u1"), Optional.empty(), "ts", FENCE).condition().declared())
        .contains(new DeclaredCondition.StoredBeforeFence("ts", FENCE));
    // Only the documented latest order can be declared: a store evaluates the declared form in
    // that order, so a condition on any other comparator must stay code.
    assertThat(WriteCondition.storedBefore(TABLE.latestOrder().reversed(), candidate).declared()).isEmpty();
    WriteCondition lambda = stored -> stored.isEmpty();
    assertThat(lambda.declared()).isEmpty();
  }
}
