package dev.backfill.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.Slice.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SliceTest {
  private static final Instant D0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final TimeRange BACKFILL = TimeRange.of(D0, D0.plus(Duration.ofHours(18)));
  private static final List<Slice> SLICES = Slice.of(List.of(
      TimeRange.of(D0, D0.plus(Duration.ofHours(6))),
      TimeRange.of(D0.plus(Duration.ofHours(6)), D0.plus(Duration.ofHours(12))),
      TimeRange.of(D0.plus(Duration.ofHours(12)), D0.plus(Duration.ofHours(18)))), BACKFILL, Duration.ofHours(1));

  private static Instant hour(double h) {
    return D0.plus(Duration.ofMinutes(Math.round(h * 60)));
  }

  @Test
  void theInputWindowStartsOneLookbackBeforeTheSlice() {
    assertThat(SLICES.get(1).input()).isEqualTo(TimeRange.of(hour(5), hour(12)));
    assertThat(SLICES.get(1).contextStop()).isEqualTo(hour(13));
    assertThat(SLICES.get(0).isFirst()).isTrue();
    assertThat(SLICES.get(0).isLast()).isFalse();
    assertThat(SLICES.get(2).isLast()).isTrue();
  }

  @Test
  void everyOutputRowHasOnePlacement() {
    Slice middle = SLICES.get(1);
    assertThat(middle.place(hour(6))).isEqualTo(Placement.IN_SLICE);
    assertThat(middle.place(hour(11.99))).isEqualTo(Placement.IN_SLICE);
    assertThat(middle.place(hour(5))).as("its lookback window").isEqualTo(Placement.CONTEXT);
    assertThat(middle.place(hour(12.5))).as("moved forward within the lookback").isEqualTo(Placement.CONTEXT);
    assertThat(middle.place(hour(13))).as("at b + lookback").isEqualTo(Placement.BREACH);
    assertThat(middle.place(hour(4.99))).as("before a - lookback").isEqualTo(Placement.BREACH);
    assertThat(middle.place(hour(-0.5))).as("outside the range, from a middle slice").isEqualTo(Placement.CONTEXT);
    assertThat(SLICES.get(0).place(hour(-0.5))).isEqualTo(Placement.OUT_OF_RANGE);
    assertThat(SLICES.get(0).place(hour(-30))).as("outside the range is never a breach").isEqualTo(Placement.OUT_OF_RANGE);
    assertThat(SLICES.get(2).place(hour(18))).isEqualTo(Placement.OUT_OF_RANGE);
    assertThat(SLICES.get(0).place(hour(18))).isEqualTo(Placement.CONTEXT);
  }

  @Test
  void windowsStopAtTheEdgesOfTheSupportedRange() {
    TimeRange first = TimeRange.of(BackfillTimes.SUPPORTED_START, BackfillTimes.SUPPORTED_START.plus(Duration.ofDays(1)));
    Slice huge = new Slice(first, first, Duration.ofDays(365_000_000L));
    assertThat(huge.input()).isEqualTo(first);
    assertThat(huge.contextStop()).isEqualTo(BackfillTimes.SUPPORTED_STOP);
    assertThat(huge.place(first.start())).isEqualTo(Placement.IN_SLICE);
  }

  @Test
  void aSliceOutsideItsBackfillOrANegativeLookbackIsRefused() {
    assertThatThrownBy(() -> new Slice(TimeRange.of(hour(-1), hour(1)), BACKFILL, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(BACKFILL.toString());
    assertThatThrownBy(() -> new Slice(BACKFILL, BACKFILL, Duration.ofHours(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1H");
  }

  @Test
  void aBreachNamesTheRuleTheRowTheSliceAndTheFixForEitherDirection() {
    Slice middle = SLICES.get(1);
    InvalidRowException forward = InvalidRowException.pointInTime("trips", "ts", hour(13), middle.range(), middle.lookback());
    assertThat(forward.getMessage()).startsWith("invalid row for feature set 'trips': column 'ts' value " + hour(13))
        .contains("point-in-time rule").contains("slice " + middle.range()).contains("lookback PT1H")
        .contains("at or after the slice's stop + lookback").contains("declare a lookback at least as long as that shift");
    InvalidRowException backward = InvalidRowException.pointInTime("trips", "ts", hour(4), middle.range(), middle.lookback());
    assertThat(backward.getMessage()).contains("before the slice's start - lookback")
        .contains("moves event times backward");
    assertThat(forward.column()).isEqualTo("ts");
    assertThat(forward.value()).contains(hour(13));
  }
}
