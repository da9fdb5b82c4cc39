package dev.backfill.examples.crash;

import dev.backfill.api.BackfillClient;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.testkit.CorrectedReadings;
import dev.backfill.testkit.ForwardingOnlineStore;
import dev.backfill.testkit.InMemoryDataSource;
import dev.backfill.testkit.ObservedSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of {@link EmbeddedDefaultCrashTest}: runs the corrected backfill on the stores
 * in {@code args[0]} and stops the JVM with {@link Runtime#halt} at the point {@code args[1]}:
 * no shutdown hook, no finally block, no store closed, as when a process is killed.
 */
public final class HaltingBackfill {
  static final int HALT_STATUS = 77;

  /** Where the child stops. */
  enum Point {
    /** While the source is being read: 5,000 rows into the interval. */
    WHILE_READING,
    /** After the offline commit, at the first online write of the reconciliation. */
    AFTER_OFFLINE_COMMIT,
    /** After the first batch of online writes of the reconciliation is applied. */
    DURING_RECONCILIATION
  }

  private HaltingBackfill() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    Point point = Point.valueOf(args[1]);
    OnlineStore online = new HaltingOnlineStore(CrashScenario.online(dir), point);
    BackfillClient client = CrashScenario.client(dir, online);
    client.register(CrashScenario.featureSet());
    DataSource corrected = InMemoryDataSource.of(CorrectedReadings.SCHEMA, "ts", CrashScenario.version2());
    DataSource source = point == Point.WHILE_READING
        ? ObservedSource.atRow(corrected, 5_000, () -> Runtime.getRuntime().halt(HALT_STATUS)) : corrected;
    client.backfill(CorrectedReadings.FEATURE_SET).between(CorrectedReadings.CORRECTED.start(), CorrectedReadings.CORRECTED.stop())
        .source(source).comment("crash test " + point).run();
    System.err.println("the backfill finished without reaching the halt point " + point);
    System.exit(1);
  }

  private static final class HaltingOnlineStore extends ForwardingOnlineStore {
    private final Point point;
    private final AtomicInteger writes = new AtomicInteger();

    HaltingOnlineStore(OnlineStore delegate, Point point) {
      super(delegate);
      this.point = point;
    }

    @Override
    public long write(String table, List<OnlineWrite> batch) {
      int n = writes.incrementAndGet();
      if (point == Point.AFTER_OFFLINE_COMMIT && n == 1) {
        Runtime.getRuntime().halt(HALT_STATUS);
      }
      long written = super.write(table, batch);
      // Halting after the first applied write, not before the second: how many write calls a
      // reconciliation makes depends on the order in which the store lists the changed keys.
      if (point == Point.DURING_RECONCILIATION && n == 1) {
        Runtime.getRuntime().halt(HALT_STATUS);
      }
      return written;
    }
  }
}
