package dev.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The lifecycle the store kits share: a fresh store before each test, closed after it.
 *
 * @param <S> the kind of store under test
 */
public abstract class StoreContractTest<S extends AutoCloseable> {
  private S store;

  /** A new, empty store; the kit closes it after each test. */
  protected abstract S createStore();

  /** The store under test, for tests that subclasses add. */
  protected final S store() {
    return store;
  }

  @BeforeEach
  final void openStore() {
    store = createStore();
    assertThat(store).as("createStore() must return a store").isNotNull();
  }

  @AfterEach
  final void closeStore() throws Exception {
    if (store != null) {
      store.close();
    }
  }
}
