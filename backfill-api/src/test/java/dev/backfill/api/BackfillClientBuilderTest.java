package dev.backfill.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackfillClientBuilderTest {

  @Test
  void withoutAnEngineOnTheClassPathTheErrorNamesTheMissingDependency() {
    // The api module's test class path has no backfill-core, so no EngineProvider is registered.
    assertThatThrownBy(BackfillClient::builder)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backfill-core");
  }
}
