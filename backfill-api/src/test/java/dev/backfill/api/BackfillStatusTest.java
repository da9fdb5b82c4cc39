package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackfillStatusTest {

  @ParameterizedTest
  @EnumSource(value = BackfillStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
  void finishedStatusesAreTerminal(BackfillStatus status) {
    assertThat(status.isTerminal()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = BackfillStatus.class, names = {"PENDING", "RUNNING"})
  void activeStatusesAreNotTerminal(BackfillStatus status) {
    assertThat(status.isTerminal()).isFalse();
  }
}
