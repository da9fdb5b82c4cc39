package dev.backfill.rocksdb;

import static dev.backfill.rocksdb.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import dev.backfill.api.Row;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conditional writes from several threads on the same keys, in batches that overlap in keys. */
class RocksDbConcurrencyTest {
  @TempDir
  Path dir;

  @Test
  void putIfLaterFromFourThreadsKeepsTheGreatestRowOfEveryKey() throws Exception {
    TableSpec spec = Fixtures.clicks();
    int threads = 4;
    int keyCount = 8;
    List<List<Row>> written = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random random = new Random(42L + t);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        // Two event times only, so that most comparisons are ties that the value order decides.
        rows.add(Fixtures.click("k" + random.nextInt(keyCount), T0.plusSeconds(random.nextInt(2)), random.nextInt(10_000)));
      }
      written.add(rows);
    }
    AtomicLong applied = new AtomicLong();
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(dir.resolve("online"))) {
      store.createTable(spec);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          List<Row> rows = written.get(t);
          futures.add(pool.submit(() -> {
            go.await();
            // Batches of 25 over 8 keys: every batch repeats keys and overlaps every other thread's.
            for (int i = 0; i < rows.size(); i += 25) {
              applied.addAndGet(store.write(spec.name(), rows.subList(i, i + 25).stream()
                  .map(r -> OnlineWrite.putIfLater(spec.keyOf(r), r, spec.latestOrder())).toList()));
            }
            return null;
          }));
        }
        go.countDown();
        for (Future<?> future : futures) {
          future.get(120, TimeUnit.SECONDS); // a deadlock guard, not a timing assumption
        }
      } finally {
        pool.shutdownNow();
      }

      Map<EntityKey, Row> expected = new HashMap<>();
      written.stream().flatMap(List::stream).forEach(r -> expected.merge(spec.keyOf(r), r, spec::laterOf));
      assertThat(expected).hasSize(keyCount);
      assertThat(store.getAll(spec.name(), expected.keySet())).isEqualTo(expected);
      // At least one write per key was applied, and never more than were made.
      assertThat(applied.get()).isBetween((long) keyCount, (long) threads * 2000);
    }
  }
}
