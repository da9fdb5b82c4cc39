package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeRangeTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2024-01-02T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-03T00:00:00Z");
  private static final Instant T3 = Instant.parse("2024-01-04T00:00:00Z");

  @Test
  void startMustBeBeforeStop() {
    assertThatThrownBy(() -> TimeRange.of(T1, T1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(T1.toString());
    assertThatThrownBy(() -> TimeRange.of(T2, T1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TimeRange.of(null, T1)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void containsIsHalfOpen() {
    TimeRange range = TimeRange.of(T0, T1);

    assertThat(range.contains(T0)).isTrue();
    assertThat(range.contains(T1.minusNanos(1))).isTrue();
    assertThat(range.contains(T1)).isFalse();
    assertThat(range.contains(T0.minusNanos(1))).isFalse();
  }

  @Test
  void adjacentRangesDoNotOverlap() {
    TimeRange first = TimeRange.of(T0, T1);
    TimeRange second = TimeRange.of(T1, T2);

    assertThat(first.overlaps(second)).isFalse();
    assertThat(second.overlaps(first)).isFalse();
  }

  @Test
  void disjointRangesDoNotOverlap() {
    assertThat(TimeRange.of(T0, T1).overlaps(TimeRange.of(T2, T3))).isFalse();
    assertThat(TimeRange.of(T2, T3).overlaps(TimeRange.of(T0, T1))).isFalse();
  }

  @Test
  void nestedPartialAndEqualRangesOverlap() {
    TimeRange outer = TimeRange.of(T0, T3);
    TimeRange inner = TimeRange.of(T1, T2);
    TimeRange left = TimeRange.of(T0, T2);
    TimeRange right = TimeRange.of(T1, T3);

    assertThat(outer.overlaps(inner)).isTrue();
    assertThat(inner.overlaps(outer)).isTrue();
    assertThat(left.overlaps(right)).isTrue();
    assertThat(right.overlaps(left)).isTrue();
    assertThat(inner.overlaps(TimeRange.of(T1, T2))).isTrue();
    // One shared nanosecond is enough.
    assertThat(TimeRange.of(T0, T1.plusNanos(1)).overlaps(TimeRange.of(T1, T2))).isTrue();
  }

  @Test
  void allIsTheSupportedRange() {
    // It was [Instant.MIN, Instant.MAX), which no store can encode; no stored row lies outside the supported range.
    assertThat(TimeRange.all()).isEqualTo(TimeRange.of(BackfillTimes.SUPPORTED_START, BackfillTimes.SUPPORTED_STOP));
    assertThat(TimeRange.all().contains(Instant.parse("0001-01-01T00:00:00Z"))).isTrue();
    assertThat(TimeRange.all().contains(Instant.parse("9999-12-31T23:59:59.999999Z"))).isTrue();
    assertThat(TimeRange.all().contains(Instant.parse("0000-12-31T23:59:59.999999Z"))).isFalse();
    assertThat(TimeRange.all().contains(Instant.parse("+10000-01-01T00:00:00Z"))).isFalse();
    assertThat(TimeRange.all().contains(Instant.EPOCH)).isTrue();
    assertThat(TimeRange.all().overlaps(TimeRange.of(T0, T1))).isTrue();
  }
}
