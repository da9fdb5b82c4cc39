package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackfillPlanTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2024-01-02T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-03T00:00:00Z");
  private static final Instant T3 = Instant.parse("2024-01-04T00:00:00Z");
  private static final TimeRange RANGE = TimeRange.of(T0, T3);

  private static BackfillPlan plan(List<TimeRange> slices) {
    return new BackfillPlan("trips", RANGE, false, false, ClusterTemplate.SMALL, slices, Optional.empty());
  }

  @Test
  void acceptsContiguousSlicesThatCoverTheRange() {
    List<TimeRange> slices = List.of(TimeRange.of(T0, T1), TimeRange.of(T1, T2), TimeRange.of(T2, T3));

    assertThat(plan(slices).slices()).isEqualTo(slices);
    assertThat(plan(List.of(RANGE)).slices()).containsExactly(RANGE);
  }

  @Test
  void rejectsAGapBetweenSlices() {
    assertThatThrownBy(() -> plan(List.of(TimeRange.of(T0, T1), TimeRange.of(T2, T3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contiguous");
  }

  @Test
  void rejectsOverlappingSlices() {
    assertThatThrownBy(() -> plan(List.of(TimeRange.of(T0, T2), TimeRange.of(T1, T3))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsSlicesThatDoNotReachTheEnds() {
    assertThatThrownBy(() -> plan(List.of(TimeRange.of(T1, T3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cover");
    assertThatThrownBy(() -> plan(List.of(TimeRange.of(T0, T2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cover");
    assertThatThrownBy(() -> plan(List.of(TimeRange.of(T0, T3.plusSeconds(1)))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNoSlices() {
    assertThatThrownBy(() -> plan(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void slicesAreAnImmutableCopy() {
    List<TimeRange> slices = new ArrayList<>(List.of(TimeRange.of(T0, T1), TimeRange.of(T1, T3)));
    BackfillPlan plan = plan(slices);

    slices.clear();

    assertThat(plan.slices()).hasSize(2);
    assertThatThrownBy(() -> plan.slices().clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
