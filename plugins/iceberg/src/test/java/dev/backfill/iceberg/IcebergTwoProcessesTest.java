package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two child JVMs share one feature set's table through a PostgreSQL catalog: both stage their
 * replacement, then commit at the same moment. Disjoint intervals both commit; overlapping ones
 * give exactly one conflict and lose no row.
 */
class IcebergTwoProcessesTest {
  private static final PostgresCatalog CATALOG = new PostgresCatalog();
  @TempDir Path dir;
  private Map<String, String> options;
  private IcebergOfflineStore store;
  private final List<Process> children = new ArrayList<>();

  @AfterAll
  static void dropCatalog() {
    CATALOG.close();
  }

  @BeforeEach
  void createTable() {
    options = CATALOG.freshStore(dir.resolve("warehouse"));
    store = IcebergOfflineStore.open(IcebergOptions.parse(options));
    store.createTable(IcebergSharedChild.SPEC);
    store.append("shared", IcebergSharedChild.rows(IcebergSharedChild.days(0, 10), 0));
  }

  @AfterEach
  void close() {
    children.forEach(Process::destroyForcibly);
    store.close();
  }

  @Test
  void disjointIntervalsReplacedByTwoProcessesAtOnceBothCommit() throws Exception {
    List<String> results = commitTogether(new int[] {2, 4, 1}, new int[] {6, 8, 2});

    assertThat(results).containsExactly("COMMITTED", "COMMITTED");
    List<Row> expected = new ArrayList<>(base(IcebergSharedChild.days(2, 4), IcebergSharedChild.days(6, 8)));
    expected.addAll(IcebergSharedChild.rows(IcebergSharedChild.days(2, 4), 1));
    expected.addAll(IcebergSharedChild.rows(IcebergSharedChild.days(6, 8), 2));
    assertThat(rows()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void overlappingIntervalsReplacedByTwoProcessesAtOnceGiveOneConflictAndLoseNoRow() throws Exception {
    List<String> results = commitTogether(new int[] {2, 5, 1}, new int[] {4, 7, 2});

    assertThat(results).filteredOn(r -> r.equals("COMMITTED")).hasSize(1);
    assertThat(results).filteredOn(r -> r.startsWith("CONFLICT") && r.contains("nothing was changed")).hasSize(1);
    int winner = results.get(0).equals("COMMITTED") ? 0 : 1;
    TimeRange won = winner == 0 ? IcebergSharedChild.days(2, 5) : IcebergSharedChild.days(4, 7);
    List<Row> expected = new ArrayList<>(base(won, won));
    expected.addAll(IcebergSharedChild.rows(won, winner + 1));
    assertThat(rows()).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** The base rows outside both ranges. */
  private static List<Row> base(TimeRange a, TimeRange b) {
    return IcebergSharedChild.rows(IcebergSharedChild.days(0, 10), 0).stream()
        .filter(r -> !a.contains(r.getInstant("ts")) && !b.contains(r.getInstant("ts"))).toList();
  }

  private List<Row> rows() {
    try (Stream<Row> rows = store.scan("shared", TimeRange.all())) {
      return rows.toList();
    }
  }

  /** Starts a child per {from, to, version}, waits until all staged, then lets all commit at once. */
  private List<String> commitTogether(int[]... replacements) throws Exception {
    List<BufferedReader> outs = new ArrayList<>();
    for (int[] r : replacements) {
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), IcebergSharedChild.class.getName(), options.get("uri"),
          options.get("namespace"), options.get("warehouse"), Integer.toString(r[0]), Integer.toString(r[1]),
          Integer.toString(r[2])).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      children.add(child);
      outs.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
    }
    for (BufferedReader out : outs) {
      assertThat(line(out)).isEqualTo("STAGED");
    }
    for (Process child : children) {
      Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
      in.write("commit\n");
      in.flush();
    }
    List<String> results = new ArrayList<>();
    for (BufferedReader out : outs) {
      results.add(line(out));
    }
    for (Process child : children) {
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    }
    return results;
  }

  private static String line(BufferedReader out) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(180, TimeUnit.SECONDS);
  }
}
