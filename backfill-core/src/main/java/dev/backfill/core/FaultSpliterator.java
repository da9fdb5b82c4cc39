package dev.backfill.core;

import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A stream's elements, with what its producer throws (not what the consumer downstream throws
 * while handling an element) passed through a function first: to tell which of a pipeline's
 * parts failed, or to turn a store's exception into a {@code StoreException}. Single-threaded,
 * like the sequential streams it wraps.
 */
final class FaultSpliterator<T> implements Spliterator<T> {
  private final Spliterator<T> delegate;
  private final Function<RuntimeException, RuntimeException> onFault;
  private Consumer<? super T> lastAction;
  private Consumer<T> tracked;
  /** True while the downstream action runs: a failure then is the consumer's, not the producer's. */
  private boolean inAction;

  private FaultSpliterator(Spliterator<T> delegate, Function<RuntimeException, RuntimeException> onFault) {
    this.delegate = delegate;
    this.onFault = onFault;
  }

  /**
   * The stream's elements, with its producer's exceptions mapped by {@code onFault}; closing the
   * result closes {@code stream}.
   */
  static <T> Stream<T> wrap(Stream<T> stream, Function<RuntimeException, RuntimeException> onFault) {
    Spliterator<T> source;
    try {
      source = stream.spliterator();
    } catch (RuntimeException e) {
      stream.close();
      throw onFault.apply(e);
    }
    return StreamSupport.stream(new FaultSpliterator<>(source, onFault), false).onClose(stream::close);
  }

  @Override
  public boolean tryAdvance(Consumer<? super T> action) {
    if (action != lastAction) {
      lastAction = action;
      tracked = element -> {
        inAction = true;
        action.accept(element);
        inAction = false;
      };
    }
    inAction = false;
    try {
      return delegate.tryAdvance(tracked);
    } catch (RuntimeException e) {
      if (inAction) {
        inAction = false;
        throw e;
      }
      throw onFault.apply(e);
    }
  }

  @Override
  public Spliterator<T> trySplit() {
    return null;
  }

  @Override
  public long estimateSize() {
    return delegate.estimateSize();
  }

  @Override
  public int characteristics() {
    return delegate.characteristics() & ~(Spliterator.SIZED | Spliterator.SUBSIZED);
  }
}
