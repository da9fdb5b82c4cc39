package dev.backfill.api;

import dev.backfill.spi.DataSource;
import dev.backfill.spi.TableSpec;
import dev.backfill.spi.Transform;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A named set of features: its schema (key columns, one TIMESTAMP event-time column, feature
 * columns, in that order), the source and transform that compute its rows, the earliest time a
 * backfill starts from by default, and the default cluster template. Immutable; equal to
 * another of the same definition.
 *
 * <p>Names: a feature-set name is a letter, then letters, digits or '_'; a column name may also
 * start with '_'; at most 128 characters. Column names of one feature set must differ by more
 * than case ({@link #build()} refuses {@code v} and {@code V}), and so must the names of the
 * feature sets of one client ({@link BackfillClient#register} refuses {@code Trips} beside
 * {@code trips}), since SQL stores fold the case of names.
 */
public final class FeatureSet {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,127}");
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private final TableSpec table;
  private final List<String> featureColumns;
  private final DataSource source;
  private final Transform transform;
  private final Instant backfillStart;
  private final ClusterTemplate clusterTemplate;

  private FeatureSet(Builder b) {
    if (b.keys.isEmpty()) {
      throw new InvalidFeatureSetException("feature set '" + b.name + "' has no key column; call key(column, type)");
    }
    if (b.eventTime == null) {
      throw new InvalidFeatureSetException("feature set '" + b.name + "' has no event-time column; call eventTime(column)");
    }
    if (b.backfillStart == null) {
      throw new InvalidFeatureSetException("feature set '" + b.name + "' has no backfill start; call backfillStart(instant)");
    }
    if (!BackfillTimes.isSupported(b.backfillStart)) {
      throw new InvalidFeatureSetException("feature set '" + b.name + "': backfill start " + b.backfillStart
          + " is outside the supported range " + BackfillTimes.SUPPORTED_RANGE);
    }
    List<Field> fields = new ArrayList<>(b.keys);
    fields.add(new Field(b.eventTime, FieldType.TIMESTAMP));
    fields.addAll(b.features);
    Schema schema;
    try {
      schema = Schema.of(fields);
    } catch (InvalidValueException e) {
      throw new InvalidFeatureSetException("feature set '" + b.name + "': " + e.getMessage());
    }
    requireDistinctIgnoringCase(b.name, schema);
    this.table = new TableSpec(b.name, schema, b.keys.stream().map(Field::name).toList(), b.eventTime);
    this.featureColumns = b.features.stream().map(Field::name).toList();
    this.source = b.source;
    this.transform = b.transform;
    this.backfillStart = b.backfillStart;
    this.clusterTemplate = b.clusterTemplate;
  }

  /** A builder for a feature set of this name (a letter, then letters, digits or '_'). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return table.name();
  }

  /** Keys, event time, features, each in declaration order. */
  public Schema schema() {
    return table.schema();
  }

  public List<String> keyColumns() {
    return table.keyColumns();
  }

  public String eventTimeColumn() {
    return table.eventTimeColumn();
  }

  public List<String> featureColumns() {
    return featureColumns;
  }

  /** The default source of backfills; empty when every backfill must name its own. */
  public Optional<DataSource> source() {
    return Optional.ofNullable(source);
  }

  /** The default transform of backfills; {@link Transform#identity()} unless set. */
  public Transform transform() {
    return transform;
  }

  /** Where a backfill starts when its request gives no start. */
  public Instant backfillStart() {
    return backfillStart;
  }

  public ClusterTemplate clusterTemplate() {
    return clusterTemplate;
  }

  /** The storage view of this feature set that stores are given. */
  public TableSpec table() {
    return table;
  }

  /** The entity key of a row of this feature set's schema. */
  public EntityKey keyOf(Row row) {
    return table.keyOf(row);
  }

  /** The event time of a row of this feature set's schema. */
  public Instant eventTimeOf(Row row) {
    return table.eventTimeOf(row);
  }

  /** A builder preset with this feature set's definition. */
  public Builder toBuilder() {
    Builder b = new Builder(name());
    for (String key : keyColumns()) {
      b.key(key, schema().field(key).orElseThrow().type());
    }
    b.eventTime(eventTimeColumn());
    for (String feature : featureColumns) {
      b.feature(feature, schema().field(feature).orElseThrow().type());
    }
    b.source = source;
    return b.transform(transform).backfillStart(backfillStart).clusterTemplate(clusterTemplate);
  }

  /**
   * Whether two feature-set or column names are the same name to a store: SQL stores (DuckDB,
   * Iceberg, Spark) fold the case of identifiers, so {@code Trips} and {@code trips}, or columns
   * {@code v} and {@code V}, would be one table or one column there and two in memory or RocksDB.
   * Names are ASCII letters, digits and '_', so folding ASCII case is exact.
   */
  public static boolean sameNameIgnoringCase(String a, String b) {
    return a.equalsIgnoreCase(b);
  }

  private static void requireDistinctIgnoringCase(String featureSet, Schema schema) {
    Map<String, String> byFolded = new HashMap<>();
    for (String column : schema.names()) {
      String other = byFolded.putIfAbsent(column.toLowerCase(Locale.ROOT), column);
      if (other != null) {
        throw new InvalidFeatureSetException("feature set '" + featureSet + "': columns '" + other + "' and '" + column
            + "' differ only in case, which SQL stores (DuckDB, Iceberg) cannot tell apart; rename one of them");
      }
    }
  }

  /** Checks a column name before it becomes a {@link Field}, which would reject a blank one less helpfully. */
  private static String checkColumn(String featureSet, String column) {
    Objects.requireNonNull(column, "column");
    if (!COLUMN.matcher(column).matches()) {
      throw new InvalidFeatureSetException("feature set '" + featureSet + "': column name '" + column
          + "' is not valid; use a letter or '_' then letters, digits or '_' (at most 128)");
    }
    return column;
  }

  /**
   * Equal when the definitions are: name, schema, key and event-time columns, backfill start,
   * cluster template, and the same source and transform by their own {@code equals} (usually
   * identity: the same instances).
   */
  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof FeatureSet other && table.equals(other.table)
        && Objects.equals(source, other.source) && transform.equals(other.transform)
        && backfillStart.equals(other.backfillStart) && clusterTemplate == other.clusterTemplate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, source, transform, backfillStart, clusterTemplate);
  }

  @Override
  public String toString() {
    return "FeatureSet[" + name() + " " + schema() + ", keys " + keyColumns() + ", event time "
        + eventTimeColumn() + ", backfill start " + backfillStart + ", " + clusterTemplate + "]";
  }

  /**
   * Collects a feature set's definition; the column setters reject an invalid column name and
   * {@link #build()} validates the rest, both with {@link InvalidFeatureSetException}. Not
   * thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final List<Field> keys = new ArrayList<>();
    private final List<Field> features = new ArrayList<>();
    private String eventTime;
    private DataSource source;
    private Transform transform = Transform.identity();
    private Instant backfillStart;
    private ClusterTemplate clusterTemplate = ClusterTemplate.SMALL;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new InvalidFeatureSetException("feature set name '" + name
            + "' is not valid; use a letter then letters, digits or '_' (at most 128)");
      }
      this.name = name;
    }

    /** Adds a key column; call once per key column, in order. */
    public Builder key(String column, FieldType type) {
      keys.add(new Field(checkColumn(name, column), Objects.requireNonNull(type, "type")));
      return this;
    }

    /** Names the event-time column, of type TIMESTAMP. */
    public Builder eventTime(String column) {
      this.eventTime = checkColumn(name, column);
      return this;
    }

    /** Adds a feature column, in order. */
    public Builder feature(String column, FieldType type) {
      features.add(new Field(checkColumn(name, column), Objects.requireNonNull(type, "type")));
      return this;
    }

    public Builder source(DataSource source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** The transform from the source's rows to this feature set's; default identity. */
    public Builder transform(Transform transform) {
      this.transform = Objects.requireNonNull(transform, "transform");
      return this;
    }

    /**
     * Required: the default start of backfills, inside {@link BackfillTimes#SUPPORTED_RANGE}
     * ({@link #build()} checks). A start finer than a microsecond is rounded up when a backfill
     * resolves it.
     */
    public Builder backfillStart(Instant start) {
      this.backfillStart = Objects.requireNonNull(start, "start");
      return this;
    }

    /** Default {@link ClusterTemplate#SMALL}. */
    public Builder clusterTemplate(ClusterTemplate template) {
      this.clusterTemplate = Objects.requireNonNull(template, "template");
      return this;
    }

    /**
     * @throws InvalidFeatureSetException naming what is missing or invalid: no key, event time or
     *     backfill start, a backfill start outside the supported range, a duplicate column, or
     *     columns whose names differ only in case
     */
    public FeatureSet build() {
      return new FeatureSet(this);
    }
  }
}
