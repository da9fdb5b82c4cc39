package dev.backfill.iceberg;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.PluginDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * A source that reads an Iceberg table (plugin type {@code iceberg}, made by
 * {@link IcebergSourceProvider}): each read takes the table's current snapshot and plans its scan
 * with the range pushed down as Iceberg expressions on the time column, so only the files and
 * row groups that may hold the range are read. The catalog is opened for each planning and
 * closed after it: a source has no close, and holding a catalog database's connections for a
 * process's lifetime would be a leak.
 */
public final class IcebergTableSource implements DataSource {
  private final IcebergOptions options;
  private final String table;
  private final String timeColumn;
  private final PluginDefinition definition;
  private final Schema schema;

  IcebergTableSource(IcebergOptions options, String table, String timeColumn, PluginDefinition definition) {
    this.options = options;
    this.table = table;
    this.timeColumn = timeColumn;
    this.definition = definition;
    // Checked once here, so that a missing table or column fails at configuration, not mid-job.
    this.schema = withTable(this::schemaOf);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    Objects.requireNonNull(range, "range");
    return readAll(scan(range));
  }

  @Override
  public Stream<Row> readWithoutEventTime() {
    return readAll(withTable(t -> plan(t, Expressions.isNull(timeColumn), null)));
  }

  /**
   * The planned read of a range in the table's current snapshot, for a runner that reads the
   * tasks itself (on other machines: the scan is serializable).
   */
  public IcebergScan scan(TimeRange range) {
    return withTable(t -> plan(t, Expressions.and(
        Expressions.greaterThanOrEqual(timeColumn, TableLayout.micros(range.start())),
        Expressions.lessThan(timeColumn, TableLayout.micros(range.stop()))), range));
  }

  /** The table's current snapshot: a read between two equal fingerprints read the same data. */
  @Override
  public Optional<String> fingerprint() {
    return Optional.of(withTable(t -> {
      Snapshot current = t.currentSnapshot();
      return "table " + t.name() + (current == null ? " without a snapshot" : " at snapshot " + current.snapshotId());
    }));
  }

  @Override
  public Optional<String> eventTimeColumn() {
    return Optional.of(timeColumn);
  }

  @Override
  public Optional<PluginDefinition> definition() {
    return Optional.of(definition);
  }

  @Override
  public String toString() {
    return "iceberg source " + options.namespace() + "." + table;
  }

  private static Stream<Row> readAll(IcebergScan scan) {
    return scan.tasks().stream().flatMap(scan::read);
  }

  private IcebergScan plan(Table t, Expression filter, TimeRange range) {
    Snapshot current = t.currentSnapshot();
    if (current == null) {
      return new IcebergScan(SerializableTable.copyOf(t), schema, timeColumn, range, List.of());
    }
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = t.newScan().useSnapshot(current.snapshotId()).filter(filter)
        .planFiles()) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("source (iceberg): cannot plan the scan of table '" + t.name() + "'", e);
    }
    return new IcebergScan(SerializableTable.copyOf(t), schema, timeColumn, range, tasks);
  }

  private Schema schemaOf(Table t) {
    List<Field> fields = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Types.NestedField column : t.schema().columns()) {
      fields.add(new Field(column.name(), typeOf(t, column)));
      names.add(column.name());
    }
    Types.NestedField time = t.schema().columns().stream().filter(c -> c.name().equals(timeColumn)).findFirst()
        .orElse(null);
    if (time == null) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' is not a column of table '"
          + t.name() + "'; its columns: " + names);
    }
    if (time.type().typeId() != org.apache.iceberg.types.Type.TypeID.TIMESTAMP) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' of table '" + t.name()
          + "' is of Iceberg type " + time.type() + "; it must be a timestamp or timestamptz column");
    }
    return Schema.of(fields);
  }

  private static FieldType typeOf(Table t, Types.NestedField column) {
    return switch (column.type().typeId()) {
      case STRING -> FieldType.STRING;
      case LONG, INTEGER -> FieldType.LONG;
      case DOUBLE, FLOAT -> FieldType.DOUBLE;
      case BOOLEAN -> FieldType.BOOLEAN;
      case TIMESTAMP, DATE -> FieldType.TIMESTAMP;
      default -> throw new IllegalArgumentException("table '" + t.name() + "' has column '" + column.name()
          + "' of Iceberg type " + column.type() + ", which Backfill has no type for (valid: string, int, long, "
          + "float, double, boolean, date, timestamp, timestamptz)");
    };
  }

  private <T> T withTable(Function<Table, T> action) {
    Catalog catalog = Catalogs.open(options);
    try {
      TableIdentifier id = TableIdentifier.of(Namespace.of(options.namespace()), table);
      if (!catalog.tableExists(id)) {
        List<String> tables = catalog instanceof org.apache.iceberg.catalog.SupportsNamespaces namespaces
            && !namespaces.namespaceExists(Namespace.of(options.namespace())) ? List.of()
            : catalog.listTables(Namespace.of(options.namespace())).stream().map(TableIdentifier::name).sorted().toList();
        throw new IllegalArgumentException("option table '" + table + "': no such table in namespace '"
            + options.namespace() + "' of the catalog; its tables: " + tables);
      }
      return action.apply(catalog.loadTable(id));
    } finally {
      if (catalog instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException("source (iceberg): cannot close the catalog: " + e.getMessage(), e);
        }
      }
    }
  }
}
