package dev.backfill.cli;

import dev.backfill.api.EntityKey;
import dev.backfill.duckdb.DuckDbOfflineStore;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OfflineStoreProvider;
import dev.backfill.testkit.ForwardingOfflineReplacement;
import dev.backfill.testkit.ForwardingOfflineStore;
import java.nio.file.Path;
import dev.backfill.api.Row;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A test plugin, type {@code gated-duckdb}: the DuckDB offline store of option {@code path}
 * (the fast path included), except that each job is held at one point until a test releases it,
 * as long as the test needs to interrupt the command there. Option {@code hold-at}:
 * {@code commit} holds each commit before it begins (a long offline commit); {@code online-update}
 * holds the job after its commit, when the engine asks for the keys to update online;
 * {@code latest} holds the engine's second batch of keys to reconcile online (of a job's online
 * update or of a recovery), when it reads their latest rows, so that one batch is done;
 * {@code halt-at-online-update} ends the JVM with {@link #HALT_STATUS} (no shutdown hook, nothing
 * closed, as a kill -9 would) where {@code online-update} holds: the commit done and recorded, no
 * online write made. The hold signals
 * {@link #holding()} first. Registered in the test class path's {@code META-INF/services}, as a
 * third-party plugin jar would be.
 */
public final class GatedOfflineStoreProvider implements OfflineStoreProvider {
  /** The exit status of a JVM halted by {@code hold-at: halt-at-online-update}. */
  static final int HALT_STATUS = 77;
  private static final List<String> HOLD_AT = List.of("commit", "online-update", "latest", "halt-at-online-update");
  private static volatile Gate gate = new Gate();

  /** A new gate for the next command; a held job waits at most a minute for it. */
  static void reset() {
    gate = new Gate();
  }

  /** Signalled when a job has reached its hold point and is held there. */
  static CountDownLatch holding() {
    return gate.holding;
  }

  /** Lets the held job go on. */
  static void release() {
    gate.release.countDown();
  }

  private record Gate(CountDownLatch holding, CountDownLatch release) {
    Gate() {
      this(new CountDownLatch(1), new CountDownLatch(1));
    }

    /** Waits for the release; an interrupt does not end the wait, as it does not end a store's native call. */
    void hold() {
      holding.countDown();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      boolean interrupted = false;
      try {
        while (true) {
          try {
            if (!release.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
              throw new IllegalStateException("the gated job was never released");
            }
            return;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Override
  public String type() {
    return "gated-duckdb";
  }

  @Override
  public OfflineStore create(Map<String, String> options) {
    String holdAt = options.getOrDefault("hold-at", "commit");
    if (!Set.of("path", "hold-at").containsAll(options.keySet()) || !options.containsKey("path")
        || !HOLD_AT.contains(holdAt)) {
      throw new IllegalArgumentException("options " + options + "; valid options: path (required), "
          + "hold-at (one of " + HOLD_AT + ", default commit)");
    }
    DuckDbOfflineStore store = DuckDbOfflineStore.open(Path.of(options.get("path")));
    AtomicInteger latestCalls = new AtomicInteger();
    return new ForwardingOfflineStore(store) {
      @Override
      protected OfflineReplacement wrap(OfflineReplacement replacement) {
        Gate held = gate;
        return new ForwardingOfflineReplacement(replacement) {
          @Override
          public Commit commit() {
            if (holdAt.equals("commit")) {
              held.hold();
            }
            return super.commit();
          }

          @Override
          public Stream<EntityKey> changedKeys() {
            if (holdAt.equals("online-update")) {
              held.hold();
            }
            if (holdAt.equals("halt-at-online-update")) {
              Runtime.getRuntime().halt(HALT_STATUS);
            }
            return super.changedKeys();
          }
        };
      }

      @Override
      public Map<EntityKey, Row> latest(String table, Collection<EntityKey> keys) {
        if (holdAt.equals("latest") && latestCalls.incrementAndGet() == 2) {
          gate.hold();
        }
        return super.latest(table, keys);
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }
}
