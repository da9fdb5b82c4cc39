package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillStatus;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.SourceChangedException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbReadable;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source file that changes while a backfill reads it fails the job before its offline commit,
 * on the JVM path and on the fast path, with one message naming the feature set, the source and
 * what changed; the offline and online rows stay as they were. Without the check, the JVM path
 * committed rows of two versions of the file (slices read before and after the change) and the
 * fast path the new version's rows, both SUCCEEDED.
 */
class SourceChangedDuringBackfillTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final TimeRange TWO_DAYS = TimeRange.of(T0, T0.plus(Duration.ofDays(2)));

  @TempDir Path dir;

  /** A row every 10 minutes for two days, for 10 users; amount = version. */
  private static String eventsSql(int version, int days) {
    return "SELECT 'u' || (i % 10) AS user_id, make_timestamp((1704067200 + i * 600)::BIGINT * 1000000) AS ts, "
        + version + " AS amount FROM range(0, " + (days * 144) + ") r(i)";
  }

  private static void copy(String select, Path file, String format) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (" + select + ") TO '" + file + "' (FORMAT " + format + (format.equals("csv") ? ", HEADER" : "") + ")");
    }
  }

  private static void rewrite(Path file, String select, String format) {
    try {
      copy(select, file, format);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The real file source, whose file is changed once while the backfill reads it: on the JVM path
   * right after the first slice's rows were read (reads are serialised, so no read overlaps the
   * change), on the fast path when the store asks for the query it then runs.
   */
  private static final class ChangedWhileRead implements DataSource, DuckDbReadable {
    private final DuckDbFileSource file;
    private final Runnable change;
    private final AtomicBoolean changed = new AtomicBoolean();

    ChangedWhileRead(DuckDbFileSource file, Runnable change) {
      this.file = file;
      this.change = change;
    }

    private void changeOnce() {
      if (changed.compareAndSet(false, true)) {
        change.run();
      }
    }

    @Override
    public Schema schema() {
      return file.schema();
    }

    @Override
    public synchronized Stream<Row> read(TimeRange range) {
      List<Row> rows;
      try (Stream<Row> read = file.read(range)) {
        rows = read.toList();
      }
      changeOnce();
      return rows.stream();
    }

    @Override
    public String selectSql(TimeRange range) {
      changeOnce();
      return file.selectSql(range);
    }

    @Override
    public Optional<String> fingerprint() {
      return file.fingerprint();
    }

    @Override
    public String toString() {
      return file.toString();
    }
  }

  private static FeatureSet events(DataSource source) {
    return FeatureSet.builder("events").key("user_id", FieldType.STRING).eventTime("ts")
        .feature("amount", FieldType.LONG).source(source).backfillStart(T0).build();
  }

  private record Stores(List<Row> offline, List<Optional<Row>> online) {}

  private static Stores stores(BackfillClient client) {
    try (Stream<Row> rows = client.readOffline("events", TimeRange.all())) {
      return new Stores(rows.sorted(Comparator.comparing(Row::toString)).toList(),
          java.util.stream.IntStream.range(0, 10).mapToObj(u -> client.readOnline("events", EntityKey.of("u" + u))).toList());
    }
  }

  private void assertAChangeDuringTheReadFailsTheJobOnBothPaths(String format, String changedSelect) throws Exception {
    Path file = dir.resolve("events." + format);
    copy(eventsSql(1, 2), file, format);
    DuckDbFileSource source = format.equals("csv") ? DuckDbFileSource.csv(file, "ts") : DuckDbFileSource.parquet(file.toString(), "ts");
    try (BothPaths paths = new BothPaths(dir, events(source))) {
      for (BackfillClient client : paths.clients()) {
        copy(eventsSql(1, 2), file, format);
        client.backfill("events").reset().between(TWO_DAYS.start(), TWO_DAYS.stop()).run();
        Stores before = stores(client);
        assertThat(before.offline()).hasSize(288);

        copy(eventsSql(2, 2), file, format);
        DataSource changing = new ChangedWhileRead(source, () -> rewrite(file, changedSelect, format));
        BackfillJob job = client.backfill("events").between(TWO_DAYS.start(), TWO_DAYS.stop()).source(changing)
            .transform(Transform.identity()).submit();
        assertThatThrownBy(job::await).isInstanceOf(BackfillFailedException.class)
            .cause().isInstanceOf(SourceChangedException.class);
        assertThat(job.status()).isEqualTo(BackfillStatus.FAILED);
        assertThat(job.failure()).hasValueSatisfying(message -> assertThat(message)
            .startsWith("feature set 'events': the source " + source + " changed during the backfill (before the first read: ")
            .contains("; now: ").endsWith("; nothing was changed in either store").doesNotContain("\n"));
        assertThat(stores(client)).as("%s, fast path %s", format, client == paths.fast).isEqualTo(before);
      }
      assertThat(paths.fastStore.stagedInStore()).as("the fast path was taken, then refused at the commit").isEqualTo(2);
    }
  }

  @Test
  void aCsvTruncatedDuringTheReadFailsTheJobOnBothPaths() throws Exception {
    assertAChangeDuringTheReadFailsTheJobOnBothPaths("csv", eventsSql(2, 1));
  }

  @Test
  void aParquetFileRewrittenWithAsManyRowsDuringTheReadFailsTheJobOnBothPaths() throws Exception {
    assertAChangeDuringTheReadFailsTheJobOnBothPaths("parquet", eventsSql(3, 2));
  }

  /**
   * The fast path reads the source again inside its commit, after the engine's last check: the
   * store checks the fingerprint once more after that read, so a file rewritten in between (with
   * as many rows, which the row count cannot see) rolls the commit back.
   */
  @Test
  void theFastPathChecksTheSourceAgainAfterItsCommitReadsIt() throws Exception {
    Path file = dir.resolve("events.parquet");
    copy(eventsSql(1, 2), file, "parquet");
    DuckDbFileSource source = DuckDbFileSource.parquet(file.toString(), "ts");
    try (DuckDbOfflineStore store = DuckDbOfflineStore.inMemory()) {
      store.createTable(events(source).table());
      try (OfflineReplacement replacement = store.beginReplace("events", Optional.empty(), "c1")) {
        assertThat(replacement.stageFrom(source, Transform.identity(), TWO_DAYS)).isPresent();
        copy(eventsSql(3, 2), file, "parquet");
        assertThatThrownBy(replacement::commit).isInstanceOf(SourceChangedException.class)
            .hasMessageStartingWith("feature set 'events': the source " + source + " changed during the backfill");
      }
      assertThat(store.isCommitted("events", "c1")).isFalse();
      try (Stream<Row> rows = store.scan("events", TimeRange.all())) {
        assertThat(rows).isEmpty();
      }
    }
  }
}
