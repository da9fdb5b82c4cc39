package dev.backfill.benchmarks;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.spi.Plugins;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;

/**
 * End-to-end benchmarks of the Iceberg offline store (SQLite catalog, local warehouse, RocksDB
 * online), each figure beside its baseline from the same run. Usage:
 * {@code IcebergBenchmarks <which> [rows] [keys] [runs]}:
 * <ul>
 *   <li>{@code reset}: a reset of a Parquet file of {@code rows} events (default 3,000,000,
 *       100,000 keys) into Iceberg through the engine, against Iceberg's own generic appender
 *       writing the same rows (read from the same file) into a fresh table of the same schema and
 *       partitioning, in one commit;</li>
 *   <li>{@code interval}: a one-day interval backfill of the last day of a 60-day feature set
 *       against the same on a one-day feature set ({@code rows} a day, {@code keys} keys).</li>
 * </ul>
 */
public final class IcebergBenchmarks {
  private IcebergBenchmarks() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    String which = args.length > 0 ? args[0] : "reset";
    System.out.printf("machine: %d cores, max heap %d MiB, %s%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
    switch (which) {
      case "reset" -> reset(arg(args, 1, 3_000_000), arg(args, 2, 100_000), (int) arg(args, 3, 1));
      case "interval" -> interval(arg(args, 1, 100_000), arg(args, 2, 20_000), 5);
      default -> throw new IllegalArgumentException("which: reset or interval, not " + which);
    }
  }

  private static long arg(String[] args, int i, long otherwise) {
    return args.length > i ? Long.parseLong(args[i]) : otherwise;
  }

  static Map<String, String> storeOptions(Path dir) {
    return Map.of("catalog", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "warehouse", dir.resolve("warehouse").toString());
  }

  static BackfillClient client(Path dir) {
    return BackfillClient.builder().offlineStore("iceberg", storeOptions(dir))
        .onlineStore("rocksdb", Map.of("path", dir.resolve("online").toString())).build();
  }

  // ---- reset: engine against Iceberg's generic appender ----

  static void reset(long rows, long keys, int runs) throws Exception {
    Path parquet = EmbeddedBenchmarks.writeEvents(EmbeddedBenchmarks.freshDir("iceberg-events"), rows, keys);
    System.out.printf("reset of a %,d-row Parquet file (%,d keys) into Iceberg: engine vs Iceberg's generic appender%n",
        rows, keys);
    List<Double> engine = new ArrayList<>();
    List<Double> appender = new ArrayList<>();
    for (int run = 0; run <= runs; run++) {
      Path base = EmbeddedBenchmarks.freshDir("iceberg-appender");
      appender.add(EmbeddedBenchmarks.time(() -> appenderBaseline(parquet, base)).seconds());
      Path dir = EmbeddedBenchmarks.freshDir("iceberg-engine");
      engine.add(EmbeddedBenchmarks.time(() -> engineReset(parquet, dir)).seconds());
    }
    // The first round warms up the JIT and the file cache.
    double b = median(appender.subList(1, appender.size()));
    double e = median(engine.subList(1, engine.size()));
    System.out.printf("%-62s %7.2f s%n", "Iceberg generic appender, same rows, one commit (median of " + runs + ")", b);
    System.out.printf("%-62s %7.2f s   ratio %.2f (target <= 1.5)%n",
        "engine reset into Iceberg + RocksDB (median of " + runs + ")", e, e / b);
  }

  static FeatureSet events(Path parquet) {
    return FeatureSet.builder("events").key("user_id", FieldType.LONG).eventTime("ts")
        .feature("clicks", FieldType.LONG).feature("spend", FieldType.DOUBLE)
        .source(Plugins.dataSource("parquet", Map.of("path", parquet.toString(), "time-column", "ts")))
        .backfillStart(EmbeddedBenchmarks.START).build();
  }

  static BackfillResult engineReset(Path parquet, Path dir) {
    try (BackfillClient client = client(dir)) {
      client.register(events(parquet));
      return client.backfill("events").reset()
          .between(EmbeddedBenchmarks.START, EmbeddedBenchmarks.START.plus(Duration.ofDays(31))).run();
    }
  }

  /**
   * The baseline: the file's rows read through DuckDB's JDBC driver, as the engine's Parquet
   * source reads them, written by Iceberg's generic writer ({@link GenericFileWriterFactory}, which replaced the generic appender factory) into one Parquet file
   * per day partition of a fresh table with the engine's schema and partitioning, appended in one
   * commit. No online store, no table of latest rows.
   *
   * @return the number of rows written
   */
  static long appenderBaseline(Path parquet, Path dir) {
    Schema schema = new Schema(Types.NestedField.required(1, "user_id", Types.LongType.get()),
        Types.NestedField.required(2, "ts", Types.TimestampType.withZone()),
        Types.NestedField.optional(3, "clicks", Types.LongType.get()),
        Types.NestedField.optional(4, "spend", Types.DoubleType.get()));
    PartitionSpec spec = PartitionSpec.builderFor(schema).day("ts").build();
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("baseline", Map.of(CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"),
        CatalogProperties.WAREHOUSE_LOCATION, dir.resolve("warehouse").toUri().toString(), "jdbc.schema-version", "V1"));
    try {
      catalog.createNamespace(Namespace.of("baseline"));
      Table table = catalog.createTable(TableIdentifier.of("baseline", "events"), schema, spec);
      GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET)
          .build();
      Map<PartitionKey, DataWriter<Record>> open = new HashMap<>();
      PartitionKey key = new PartitionKey(spec, schema);
      InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
      GenericRecord template = GenericRecord.create(schema);
      long rows = 0;
      try (var c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT user_id, ts, clicks, spend FROM read_parquet('" + parquet + "')")) {
        while (r.next()) {
          GenericRecord record = template.copy();
          record.set(0, r.getLong(1));
          record.set(1, OffsetDateTime.ofInstant(r.getObject(2, java.time.LocalDateTime.class).toInstant(ZoneOffset.UTC),
              ZoneOffset.UTC));
          record.set(2, r.getLong(3));
          record.set(3, r.getDouble(4));
          key.partition(wrapper.wrap(record));
          DataWriter<Record> writer = open.get(key);
          if (writer == null) {
            PartitionKey copy = key.copy();
            String path = table.locationProvider().newDataLocation(spec, copy, "part-" + open.size() + ".parquet");
            writer = factory.newDataWriter(EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(path)), spec, copy);
            open.put(copy, writer);
          }
          writer.write(record);
          rows++;
        }
      }
      AppendFiles append = table.newAppend();
      for (DataWriter<Record> writer : open.values()) {
        writer.close();
        append.appendFile(writer.toDataFile());
      }
      append.commit();
      return rows;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      catalog.close();
    }
  }

  // ---- interval cost ----

  static void interval(long rowsPerDay, long keys, int runs) throws Exception {
    System.out.printf("one-day interval backfill into Iceberg: 60-day vs 1-day feature set, %,d rows a day, %,d keys%n",
        rowsPerDay, keys);
    double long60 = lastDay(60, rowsPerDay, keys, runs);
    double short1 = lastDay(1, rowsPerDay, keys, runs);
    System.out.printf("%-55s %7.3f s%n", "last day of a 1-day feature set (median of " + runs + ")", short1);
    System.out.printf("%-55s %7.3f s   ratio %.2f (target <= 1.5)%n",
        "last day of a 60-day feature set (median of " + runs + ")", long60, long60 / short1);
  }

  static double lastDay(int days, long rowsPerDay, long keys, int runs) throws IOException {
    Instant start = EmbeddedBenchmarks.START;
    Instant end = start.plus(Duration.ofDays(days));
    GeneratedSource source = GeneratedSource.of(rowsPerDay * days, keys, start, Duration.ofDays(days));
    try (BackfillClient client = client(EmbeddedBenchmarks.freshDir("iceberg-interval" + days))) {
      client.register(EmbeddedBenchmarks.featureSet(source));
      client.backfill(GeneratedSource.FEATURE_SET).reset().between(start, end).run();
      List<Double> times = new ArrayList<>();
      for (int run = 0; run <= runs; run++) {
        double seconds = EmbeddedBenchmarks.time(() -> client.backfill(GeneratedSource.FEATURE_SET)
            .between(end.minus(Duration.ofDays(1)), end).run()).seconds();
        if (run > 0) {
          times.add(seconds);
        }
      }
      return median(times);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    return sorted.get(sorted.size() / 2);
  }
}
