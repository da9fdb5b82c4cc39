package dev.backfill.core;

import dev.backfill.api.BackfillException;
import dev.backfill.api.StoreException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The client's calls into a store outside a job: a store plugin's own failure that is not a
 * {@link BackfillException} (an {@code IllegalStateException} of a closed connection, a driver's
 * exception) reaches the user as a {@link StoreException} naming the store and the operation,
 * the original as its cause, so that {@code catch (BackfillException e)} catches every failure.
 * Inside a job the same failures become the cause of the job's {@code BackfillFailedException}.
 */
final class StoreCalls {
  private StoreCalls() {}

  /** Runs {@code call} on {@code store}; {@code what} says what it does, e.g. "appending 3 rows to 'trips'". */
  static <T> T call(Object store, String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (BackfillException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure(store, what, e);
    }
  }

  /** {@link #call} for a call without a result. */
  static void run(Object store, String what, Runnable call) {
    call(store, what, () -> {
      call.run();
      return null;
    });
  }

  /** The stream a store returned, whose lazy reads fail the same way as {@link #call}. */
  static <T> Stream<T> stream(Object store, String what, Supplier<Stream<T>> open) {
    Stream<T> opened = call(store, what, open);
    return FaultSpliterator.wrap(opened, e -> e instanceof BackfillException ? e : failure(store, what, e));
  }

  private static StoreException failure(Object store, String what, RuntimeException e) {
    return new StoreException(store + ": " + what + " failed: " + e, e);
  }
}
