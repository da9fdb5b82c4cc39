package dev.backfill.rocksdb;

import dev.backfill.api.EntityKey;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A second process for the tests, run as {@code java ChildStoreMain <mode> <directory>}:
 * <ul>
 *   <li>{@code hold}: opens the store, prints {@code ready}, and keeps it (and its directory lock)
 *       open until its standard input ends;</li>
 *   <li>{@code write-and-halt}: opens the store, writes {@link #HALT_ROWS} rows, prints
 *       {@code acknowledged}, and kills its JVM with {@link Runtime#halt} without closing.</li>
 * </ul>
 */
final class ChildStoreMain {
  static final int HALT_ROWS = 1000;

  private ChildStoreMain() {}

  public static void main(String[] args) throws IOException {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    RocksDbOnlineStore store = RocksDbOnlineStore.open(dir);
    if (mode.equals("hold")) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // Keep the lock until the parent closes our input (or destroys us).
      }
      store.close();
    } else if (mode.equals("write-and-halt")) {
      TableSpec spec = Fixtures.clicks();
      store.createTable(spec);
      List<OnlineWrite> writes = IntStream.range(0, HALT_ROWS)
          .mapToObj(i -> OnlineWrite.put(EntityKey.of("u" + i), Fixtures.click("u" + i, Fixtures.T0, i))).toList();
      // Many small batches: each one acknowledged is one the parent must find.
      for (int i = 0; i < writes.size(); i += 10) {
        store.write(spec.name(), writes.subList(i, i + 10));
      }
      System.out.println("acknowledged");
      System.out.flush();
      Runtime.getRuntime().halt(3);
    } else {
      throw new IllegalArgumentException("unknown mode '" + mode + "'; valid: hold, write-and-halt");
    }
  }
}
