package dev.backfill.duckdb;

import java.nio.file.Path;

/** Run in a child JVM: opens the store at args[0], says "ready", and holds it until killed. */
public final class HoldDuckDbFile {
  private HoldDuckDbFile() {}

  public static void main(String[] args) throws Exception {
    try (DuckDbOfflineStore store = DuckDbOfflineStore.open(Path.of(args[0]))) {
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(120_000);
    }
  }
}
