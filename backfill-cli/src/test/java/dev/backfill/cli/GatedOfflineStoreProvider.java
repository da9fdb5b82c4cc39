package dev.backfill.cli;

import dev.backfill.api.EntityKey;
import dev.backfill.duckdb.DuckDbOfflineStore;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OfflineStore;
import dev.backfill.spi.OfflineStoreProvider;
import dev.backfill.testkit.ForwardingOfflineReplacement;
import dev.backfill.testkit.ForwardingOfflineStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test plugin, type {@code gated-duckdb}: the DuckDB offline store of option {@code path}
 * (the fast path included), except that each job is held at one point until a test releases it,
 * as long as the test needs to interrupt the command there. Option {@code hold-at}:
 * {@code commit} holds each commit before it begins (a long offline commit); {@code online-update}
 * holds the job after its commit, when the engine asks for the keys to update online. The hold
 * signals {@link #holding()} first. Registered in the test class path's {@code META-INF/services},
 * as a third-party plugin jar would be.
 */
public final class GatedOfflineStoreProvider implements OfflineStoreProvider {
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

    void hold() {
      holding.countDown();
      try {
        if (!release.await(1, TimeUnit.MINUTES)) {
          throw new IllegalStateException("the gated job was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public String type() {
    return "gated-duckdb";
  }

  @Override
  public OfflineStore create(Map<String, String> options) {
    if (!Set.of("path", "hold-at").containsAll(options.keySet()) || !options.containsKey("path")
        || !Set.of("commit", "online-update").contains(options.getOrDefault("hold-at", "commit"))) {
      throw new IllegalArgumentException("options " + options + "; valid options: path (required), "
          + "hold-at (commit or online-update, default commit)");
    }
    boolean atCommit = options.getOrDefault("hold-at", "commit").equals("commit");
    DuckDbOfflineStore store = DuckDbOfflineStore.open(Path.of(options.get("path")));
    return new ForwardingOfflineStore(store) {
      @Override
      protected OfflineReplacement wrap(OfflineReplacement replacement) {
        Gate held = gate;
        return new ForwardingOfflineReplacement(replacement) {
          @Override
          public Commit commit() {
            if (atCommit) {
              held.hold();
            }
            return super.commit();
          }

          @Override
          public Stream<EntityKey> changedKeys() {
            if (!atCommit) {
              held.hold();
            }
            return super.changedKeys();
          }
        };
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }
}
