package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackfillProgressTest {

  @Test
  void fractionIsSlicesDoneOverSlicesTotal() {
    assertThat(new BackfillProgress(0, 4, 0, 0).fraction()).isEqualTo(0.0);
    assertThat(new BackfillProgress(1, 4, 10, 5).fraction()).isEqualTo(0.25);
    assertThat(new BackfillProgress(4, 4, 10, 5).fraction()).isEqualTo(1.0);
  }

  @Test
  void fractionOfNoSlicesIsZeroRatherThanNaN() {
    assertThat(new BackfillProgress(0, 0, 0, 0).fraction()).isEqualTo(0.0);
  }

  @Test
  void theFourCountsOfDesignSectionFourMeanReadingWithNoKeys() {
    BackfillProgress progress = new BackfillProgress(1, 4, 10, 5);
    assertThat(progress.stage()).isEqualTo(BackfillProgress.Stage.READING);
    assertThat(progress.keysDone()).isZero();
    assertThat(progress.keysTotal()).isZero();
    assertThat(progress).isEqualTo(new BackfillProgress(1, 4, 10, 5, BackfillProgress.Stage.READING, 0, 0));
  }

  @Test
  void rejectsImpossibleCountsAndAMissingStage() {
    assertThatThrownBy(() -> new BackfillProgress(4, 4, 0, 0, BackfillProgress.Stage.UPDATING_ONLINE, -1, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BackfillProgress(4, 4, 0, 0, null, 0, 0)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void rejectsImpossibleCounts() {
    assertThatThrownBy(() -> new BackfillProgress(5, 4, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BackfillProgress(-1, 4, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BackfillProgress(0, 4, -1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
