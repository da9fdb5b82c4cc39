package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.DuckDbTypes.quote;
import static dev.backfill.duckdb.internal.DuckDbTypes.timestampLiteral;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbReadable;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.spi.OfflineReplacement.StagedRows;
import dev.backfill.spi.Slice;
import dev.backfill.spi.Slice.Placement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fast path's staging: a DuckDB-readable source and a SQL transform run slice by slice
 * inside DuckDB, exactly as the engine runs them in the JVM.
 *
 * <p>One query runs the transform once per slice (a {@code UNION ALL} of the query, each branch
 * over its slice's input window of the source) and tags every output row with its slice and its
 * {@link Placement}. One pass over it checks and counts the rows; the commit inserts its rows
 * placed {@code IN_SLICE} (the query runs again there, streaming, instead of holding every row
 * in a temporary table in between). A source that prunes by range (Parquet, by its row groups'
 * statistics) is read by each branch for its own window, which costs about one read of the
 * range; any other (CSV) is read once into a temporary table that the branches filter, so that
 * the file is not parsed once per slice. So a transform that moves event times gives the same
 * rows or the same failure here as in the JVM.
 *
 * <p>A row-wise transform without a lookback that keeps the source's event time (the identity,
 * or a query selecting the time column unchanged) cannot move a row out of its slice, so its
 * rows are checked in one scan of the whole range instead: on the 3,000,000-row benchmark file
 * one scan took a third of the time of the 16 branches. When such a query also keeps every row
 * and the key columns, a Parquet source's metadata can prove the rows good, and there is no scan
 * at all ({@link #checkedByMetadata(DuckDbReadable)}).
 *
 * <p>The commit inserts slice by slice, in time order, so that each row group of the history
 * covers a short time span. Unless one scan gives the same rows in that order anyway
 * ({@link #insertQueries}): a row-wise transform without a lookback over a source whose blocks
 * are in time order. Then the range is inserted by one statement, which on a 3,000,000-row
 * Parquet reset took half the time of the 16 per-slice inserts and their commit.
 */
final class SlicedStaging {
  private static final String SLICE = quote("__backfill_slice");
  private static final String PLACE = quote("__backfill_place");
  /** The source's rows, read once for all slices when the source does not prune by range. */
  private static final String SOURCE_ROWS_TABLE = "backfill_source_rows";
  private static final String SOURCE_ROWS = "temp." + SOURCE_ROWS_TABLE;

  private final TableSql sql;
  private final List<Slice> slices;
  private final String sourceTime;
  private final QueryShape shape;
  private String produced;
  private List<String> branches = List.of();
  private String oneScan;
  private boolean checkedByMetadata;

  /**
   * What DuckDB's plan and parse of the transform's query tell of its rows ({@link UserSql}).
   *
   * @param rowWise whether each output row depends on one input row alone (the identity, or a
   *     query {@link UserSql#isRowWise})
   * @param keepsEventTime whether the output's event-time column is the source's time column,
   *     unchanged ({@link UserSql#keepsColumn})
   * @param keepsRowsAndKeys whether, besides, every input row gives one output row
   *     ({@link UserSql#keepsEveryRow}) whose key columns are the source's columns of those
   *     names, unchanged, and every column has the table's type
   */
  record QueryShape(boolean rowWise, boolean keepsEventTime, boolean keepsRowsAndKeys) {}

  SlicedStaging(TableSql sql, List<Slice> slices, String sourceTimeColumn, QueryShape shape) {
    this.sql = sql;
    this.slices = List.copyOf(slices);
    this.sourceTime = quote(sourceTimeColumn);
    this.shape = shape;
  }

  /** Whether {@link #stage} checked the rows by the source's metadata, without a scan ({@link #checkedByMetadata(DuckDbReadable)}). */
  boolean checkedByMetadata() {
    return checkedByMetadata;
  }

  /** Whether {@link #insertQueries()} is one query for the whole range; known after {@link #stage}. */
  boolean insertsInOneScan() {
    return oneScan != null;
  }

  /**
   * The staged rows, in the table's columns, in time order: what the commit inserts, statement
   * by statement. Available after {@link #stage}, which checked every row.
   *
   * <p>One query per slice (its rows placed {@code IN_SLICE}), or, when {@link #stage} found
   * that one scan gives the same rows in the same order, one query for the whole range: the
   * transform's output over all the slices' input with its event time inside the backfill's
   * range. Those are the same rows because a row-wise transform run once over the union of the
   * input windows gives the union of its runs per window; without a lookback the windows are
   * the slices themselves, so an output row inside the range is either in its own slice
   * ({@code IN_SLICE}) or in another ({@code BREACH}, which the check refused); and the blocks
   * of the source are read in time order, as the slices are.
   */
  List<String> insertQueries() {
    if (oneScan != null) {
      return List.of(oneScan);
    }
    return branches.stream().map(branch -> "SELECT " + sql.columns + " FROM (" + branch + ") WHERE " + PLACE + " = "
        + Placement.IN_SLICE.ordinal()).toList();
  }

  /** Frees what staging holds between {@link #stage} and the commit. */
  static void drop(Statement s) throws SQLException {
    s.execute("DROP TABLE IF EXISTS " + SOURCE_ROWS);
  }

  /**
   * Runs the transform per slice, checks every output row and counts them.
   *
   * @throws InvalidRowException for a null key or event time, a timestamp outside the supported
   *     range, or a row that breaks the point-in-time rule, as the engine would (checked in that
   *     order, the engine's order for one row)
   */
  StagedRows stage(Statement s, DuckDbReadable source, String transformQuery) throws SQLException {
    long read;
    Function<TimeRange, String> window;
    if (source.prunesByRange()) {
      // selectSql may return a superset; no branch's transform may see it.
      window = range -> "SELECT * FROM (" + source.selectSql(range) + ") WHERE " + within(sourceTime, range);
      // Without a lookback the input windows partition the range: one count does.
      List<TimeRange> counted = slices.get(0).lookback().isZero()
          ? List.of(TimeRange.of(slices.get(0).range().start(), slices.get(slices.size() - 1).range().stop()))
          : slices.stream().map(Slice::input).toList();
      try (ResultSet rs = s.executeQuery("SELECT " + counted.stream()
          .map(range -> "(SELECT count(*) FROM (" + window.apply(range) + "))")
          .collect(Collectors.joining(" + ")))) {
        rs.next();
        read = rs.getLong(1);
      }
    } else {
      Instant readStart = slices.get(0).inputStart();
      Instant stop = slices.get(slices.size() - 1).range().stop();
      s.execute("CREATE OR REPLACE TEMP TABLE " + SOURCE_ROWS_TABLE + " AS "
          + source.selectSql(TimeRange.of(readStart, stop)));
      window = range -> "SELECT * FROM " + SOURCE_ROWS + " WHERE " + within(sourceTime, range);
      try (ResultSet rs = s.executeQuery("SELECT " + slices.stream()
          .map(slice -> "count(*) FILTER (WHERE " + within(sourceTime, slice.input()) + ")")
          .collect(Collectors.joining(" + ")) + " FROM " + SOURCE_ROWS)) {
        rs.next();
        read = rs.getLong(1);
      }
    }
    List<String> branches = new ArrayList<>();
    for (int i = 0; i < slices.size(); i++) {
      Slice slice = slices.get(i);
      branches.add("SELECT " + i + " AS " + SLICE + ", " + placement(slice) + " AS " + PLACE + ", o.* FROM ("
          + "WITH source AS (" + window.apply(slice.input()) + ") "
          + "SELECT " + castColumns() + " FROM " + UserSql.asSubquery(transformQuery) + " q) o");
    }
    this.branches = List.copyOf(branches);
    TimeRange all = slices.get(0).backfill();
    String wholeRange = "WITH source AS (" + window.apply(all) + ") SELECT " + castColumns() + " FROM "
        + UserSql.asSubquery(transformQuery) + " q";
    boolean rowByRow = shape.rowWise() && slices.get(0).lookback().isZero();
    if (rowByRow && shape.keepsEventTime()) {
      // Every output row keeps its input row's event time, so it lies in its own slice: no row
      // is out of range, context or a breach, and what is left to check (nulls, timestamps) is
      // the row's own. One scan of the whole range checks that; 16 branches took 3 times longer.
      produced = "SELECT 0 AS " + SLICE + ", CASE WHEN " + within(sql.eventTime, all) + " THEN " + Placement.IN_SLICE.ordinal()
          + " ELSE " + Placement.BREACH.ordinal() + " END AS " + PLACE + ", o.* FROM (" + wholeRange + ") o";
    } else {
      produced = String.join(" UNION ALL ", branches);
    }
    checkedByMetadata = rowByRow && checkedByMetadata(source);
    StagedRows staged = checkedByMetadata ? new StagedRows(read, read, 0, 0) : checkAndCount(s, read);
    if (rowByRow && source.prunesByRange() && source.inTimeOrder()) {
      oneScan = "SELECT " + sql.columns + " FROM (" + wholeRange + ") WHERE " + within(sql.eventTime, all);
    }
    return staged;
  }

  /**
   * Whether the rows are known good without a scan: each source row in the range gives one
   * output row ({@link QueryShape#keepsRowsAndKeys}) with the source's event time, which the
   * window has put inside the range, so every row is {@code IN_SLICE}, has an event time and as
   * many rows are staged as were read; the keys are the source's own, which its metadata shows
   * to hold no null; and no other column is a TIMESTAMP that could lie outside the supported
   * range. On the 3,000,000-row flights benchmark the scan this saves took 25 to 35 ms, a tenth
   * of plain DuckDB's whole load of the file. The caller has checked that the transform is
   * row-wise without a lookback.
   */
  private boolean checkedByMetadata(DuckDbReadable source) {
    boolean otherTimestamps = sql.spec.schema().fields().stream()
        .anyMatch(f -> f.type() == FieldType.TIMESTAMP && !f.name().equals(sql.spec.eventTimeColumn()));
    return shape.keepsEventTime() && shape.keepsRowsAndKeys() && !otherTimestamps
        && source.provablyNoNulls(sql.spec.keyColumns());
  }

  private StagedRows checkAndCount(Statement s, long read) throws SQLException {
    // One pass counts the placements and every kind of bad row; the detail query runs only
    // for a bad row, to name its value.
    List<String> required = new ArrayList<>(sql.spec.keyColumns());
    required.add(sql.spec.eventTimeColumn());
    List<String> timestamps = sql.spec.schema().fields().stream()
        .filter(f -> f.type() == FieldType.TIMESTAMP).map(Field::name).toList();
    List<String> counts = new ArrayList<>();
    for (Placement placement : Placement.values()) {
      counts.add("count(*) FILTER (WHERE " + PLACE + " = " + placement.ordinal() + ")");
    }
    required.forEach(column -> counts.add("count(*) FILTER (WHERE " + quote(column) + " IS NULL)"));
    timestamps.forEach(column -> counts.add("count(*) FILTER (WHERE " + unsupported(quote(column)) + ")"));
    long[] found = new long[counts.size()];
    try (ResultSet rs = s.executeQuery("SELECT " + String.join(", ", counts) + " FROM (" + produced + ")")) {
      rs.next();
      for (int i = 0; i < found.length; i++) {
        found[i] = rs.getLong(i + 1);
      }
    }
    int at = Placement.values().length;
    for (String column : required) {
      if (found[at++] > 0) {
        throw new InvalidRowException(sql.spec.name(), column, null, column.equals(sql.spec.eventTimeColumn())
            ? "the event-time column must not be null" : "a key column must not be null");
      }
    }
    for (String column : timestamps) {
      if (found[at++] > 0) {
        throw InvalidRowException.outsideSupportedRange(sql.spec.name(), column,
            firstTime(s, quote(column), unsupported(quote(column))));
      }
    }
    if (found[Placement.BREACH.ordinal()] > 0) {
      try (ResultSet rs = s.executeQuery("SELECT " + SLICE + ", " + sql.eventTime + " FROM (" + produced + ")" + " WHERE " + PLACE
          + " = " + Placement.BREACH.ordinal() + " ORDER BY " + sql.eventTime + " LIMIT 1")) {
        rs.next();
        Slice slice = slices.get(rs.getInt(1));
        throw InvalidRowException.pointInTime(sql.spec.name(), sql.spec.eventTimeColumn(),
            (Instant) DuckDbTypes.read(rs, 2, FieldType.TIMESTAMP), slice.range(), slice.lookback());
      }
    }
    return new StagedRows(read, found[Placement.IN_SLICE.ordinal()], found[Placement.OUT_OF_RANGE.ordinal()],
        found[Placement.CONTEXT.ordinal()]);
  }

  private static String unsupported(String column) {
    return column + " < " + timestampLiteral(BackfillTimes.SUPPORTED_START) + " OR " + column + " >= "
        + timestampLiteral(BackfillTimes.SUPPORTED_STOP);
  }

  private Instant firstTime(Statement s, String column, String condition) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT " + column + " FROM (" + produced + ")" + " WHERE " + condition + " LIMIT 1")) {
      rs.next();
      return (Instant) DuckDbTypes.read(rs, 1, FieldType.TIMESTAMP);
    }
  }

  /** {@link Slice#place} in SQL, over the output's event time; a null event time is checked separately. */
  private String placement(Slice slice) {
    String t = sql.eventTime;
    TimeRange backfill = slice.backfill();
    String beforeStart = t + " < " + timestampLiteral(backfill.start());
    String outOfRange = (slice.isFirst() ? beforeStart : "FALSE") + " OR "
        + (slice.isLast() ? t + " >= " + timestampLiteral(backfill.stop()) : "FALSE");
    return "CASE WHEN " + within(t, slice.range()) + " THEN " + Placement.IN_SLICE.ordinal()
        + " WHEN NOT (" + within(t, backfill) + ") THEN CASE WHEN " + outOfRange + " THEN " + Placement.OUT_OF_RANGE.ordinal()
        + " ELSE " + Placement.CONTEXT.ordinal() + " END"
        + " WHEN " + t + " < " + timestampLiteral(slice.inputStart()) + " OR " + t + " >= " + timestampLiteral(slice.contextStop())
        + " THEN " + Placement.BREACH.ordinal() + " ELSE " + Placement.CONTEXT.ordinal() + " END";
  }

  private static String within(String column, TimeRange range) {
    return column + " >= " + timestampLiteral(range.start()) + " AND " + column + " < " + timestampLiteral(range.stop());
  }

  /**
   * The output columns in the table's order, cast to its types as the JVM path converts them,
   * DOUBLE keys normalised as the engine normalises them ({@code -0.0} to {@code 0.0}; see
   * {@link dev.backfill.api.EntityKey}), so that both paths store the same key values.
   */
  private String castColumns() {
    return sql.spec.schema().fields().stream().map(this::castColumn).collect(Collectors.joining(", "));
  }

  private String castColumn(Field f) {
    String cast = "CAST(q." + quote(f.name()) + " AS " + DuckDbTypes.sqlType(f.type()) + ")";
    if (f.type() == FieldType.DOUBLE && sql.spec.keyColumns().contains(f.name())) {
      // -0.0 = 0 is true in DuckDB as in IEEE 754; the CASE gives both the bits of 0.0.
      cast = "CASE WHEN " + cast + " = 0 THEN CAST(0 AS DOUBLE) ELSE " + cast + " END";
    }
    return cast + " AS " + quote(f.name());
  }
}
