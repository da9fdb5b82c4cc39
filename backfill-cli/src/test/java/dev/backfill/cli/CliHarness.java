package dev.backfill.cli;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.TimeRange;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.spi.Transform;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A folder with a configuration, a CSV feed and the embedded stores (a real DuckDB file and a
 * real RocksDB directory), on which tests run the real commands in this process.
 */
final class CliHarness {
  static final String CONFIG = """
      environments:
        local:
          offline-store: {type: duckdb, path: data/offline.duckdb}
          online-store: {type: rocksdb, path: data/online}
          job-history: data/jobs
      feature-sets:
        driver_trips:
          keys: {driver: string}
          event-time: day
          features: {trips: long}
          source: {type: csv, path: trips.csv, time-column: day}
          backfill-start: 2024-01-01
        broken_trips:
          keys: {driver: string}
          event-time: day
          features: {trips: long}
          source: {type: csv, path: broken.csv, time-column: day}
          backfill-start: 2024-01-01
        slow_counter:
          keys: {id: string}
          event-time: ts
          features: {value: long}
          source: {type: slow, keys: 3, micros-per-row: 300}
          backfill-start: 2024-01-01
      """;

  /**
   * A feature set of {@link #writeManyKeys many keys}, one row each, for an online update or a
   * recovery of several batches of keys: indented to follow {@code feature-sets:}.
   */
  static final String MANY_KEYS = """
        many_keys:
          keys: {id: string}
          event-time: day
          features: {value: long}
          source: {type: csv, path: keys.csv, time-column: day}
          backfill-start: 2024-01-01
      """;

  final Path folder;

  CliHarness(Path folder) {
    this(folder, true);
  }

  /** A harness on a folder; {@code withFixtures} writes this class's configuration and CSV feeds into it. */
  CliHarness(Path folder, boolean withFixtures) {
    this.folder = folder;
    if (!withFixtures) {
      return;
    }
    try {
      Files.writeString(folder.resolve("backfill.yaml"), CONFIG);
      Files.writeString(folder.resolve("trips.csv"), "driver,day,trips\n" + String.join("\n", tripLines()) + "\n");
      Files.writeString(folder.resolve("broken.csv"), "driver,day,trips\nann,2024-01-01,3\n,2024-01-02,4\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The 60 data lines of the fixture's trips.csv: three drivers a day from 2024-01-01 to 2024-01-20. */
  static List<String> tripLines() {
    List<String> lines = new ArrayList<>();
    for (int day = 1; day <= 20; day++) {
      for (String driver : List.of("ann", "bob", "cid")) {
        lines.add(driver + ",2024-01-" + String.format("%02d", day) + "," + (day * 10 + driver.charAt(0) % 7));
      }
    }
    return lines;
  }

  /**
   * An environment on the fixture's stores whose offline store is the {@code gated-duckdb} test
   * store holding jobs at {@code holdAt}: indented to follow {@code environments:}.
   */
  static String gatedEnvironment(String name, String holdAt) {
    return "  " + name + ":\n"
        + "    offline-store: {type: gated-duckdb, path: data/offline.duckdb, hold-at: " + holdAt + "}\n"
        + "    online-store: {type: rocksdb, path: data/online}\n"
        + "    job-history: data/jobs\n";
  }

  /** Writes the feed of {@link #MANY_KEYS}: keys {@link #manyKey}(0) to (n - 1), each with its number on 2024-01-01. */
  void writeManyKeys(int keys) {
    StringBuilder csv = new StringBuilder("id,day,value\n");
    for (int i = 0; i < keys; i++) {
      csv.append(manyKey(i)).append(",2024-01-01,").append(i).append('\n');
    }
    try {
      Files.writeString(folder.resolve("keys.csv"), csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String manyKey(int i) {
    return String.format("k%05d", i);
  }

  /** One finished command. */
  record Run(int exitCode, String out, String err) {}

  /** A command line as a person or a script would run it; the defaults are a script's. */
  final class Command {
    private String input = "";
    private boolean neverAnswers;
    private boolean inputInteractive;
    private boolean errorInteractive;
    private final Map<String, String> environment = new HashMap<>();
    private final ManualInterruptions interruptions = new ManualInterruptions();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    Command answering(String answer) {
      this.input = answer + "\n";
      this.inputInteractive = true;
      return this;
    }

    /** A person at a terminal who never answers a question (until the command is interrupted). */
    Command neverAnswering() {
      this.neverAnswers = true;
      this.inputInteractive = true;
      return this;
    }

    Command onTerminal() {
      this.inputInteractive = true;
      this.errorInteractive = true;
      return this;
    }

    Command withVariable(String name, String value) {
      environment.put(name, value);
      return this;
    }

    ManualInterruptions interruptions() {
      return interruptions;
    }

    /** What standard error holds so far, for a command running in another thread. */
    String errSoFar() {
      synchronized (err.getBuffer()) {
        return err.toString();
      }
    }

    Run run(String... args) {
      CliContext context = new CliContext(new BufferedReader(neverAnswers ? silentTerminal() : new StringReader(input)),
          new PrintWriter(out, true),
          new PrintWriter(err, true), inputInteractive, errorInteractive, environment, folder, interruptions);
      int code = BackfillCli.execute(context, args);
      return new Run(code, out.toString(), err.toString());
    }
  }

  /** A reader whose read blocks: nothing is ever written to its pipe. */
  private static java.io.Reader silentTerminal() {
    try {
      return new java.io.PipedReader(new java.io.PipedWriter());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Command command() {
    return new Command();
  }

  Run run(String... args) {
    return command().run(args);
  }

  /** Interruptions a test fires itself, standing in for Ctrl-C. */
  static final class ManualInterruptions implements Interruptions {
    private final AtomicReference<Runnable> action = new AtomicReference<>();

    @Override
    public Registration onInterrupt(Runnable onInterrupt) {
      action.set(onInterrupt);
      return () -> action.set(null);
    }

    boolean armed() {
      return action.get() != null;
    }

    void interrupt() {
      Runnable current = action.get();
      if (current != null) {
        current.run();
      }
    }
  }

  /**
   * Everything the stores hold for a feature set: every offline row and the online row of each
   * key, read through a client of its own once the commands have closed the stores.
   */
  record StoreContents(List<String> offline, Map<String, String> online) {}

  StoreContents contents(String featureSetName, List<String> keys) {
    BackfillConfig config = BackfillConfig.load(folder.resolve("backfill.yaml"));
    FeatureSet featureSet = config.featureSet(featureSetName).toFeatureSet(Optional.empty(), Transform.identity());
    Path data = folder.resolve("data");
    try (BackfillClient client = BackfillClient.builder()
        .offlineStore("duckdb", Map.of("path", data.resolve("offline.duckdb").toString()))
        .onlineStore("rocksdb", Map.of("path", data.resolve("online").toString()))
        .build()) {
      client.register(featureSet);
      List<String> offline = new ArrayList<>();
      try (var rows = client.readOffline(featureSetName, TimeRange.of(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z")))) {
        rows.forEach(row -> offline.add(row.asMap().toString()));
      }
      offline.sort(null);
      Map<String, String> online = new TreeMap<>();
      for (String key : keys) {
        client.readOnline(featureSetName, EntityKey.of(key)).ifPresent(row -> online.put(key, row.asMap().toString()));
      }
      return new StoreContents(offline, online);
    }
  }
}
