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
import java.util.stream.Collectors;

/**
 * The fast path's staging: a DuckDB-readable source and a SQL transform run slice by slice
 * inside DuckDB, exactly as the engine runs them in the JVM, into the temporary table
 * {@code produced} of a replacement's connection.
 *
 * <p>The source is read once, for all slices, into a temporary table; then one statement runs
 * the transform once per slice (a {@code UNION ALL} of the query, each branch over its slice's
 * input window of those rows) and tags every output row with its slice and its
 * {@link Placement}. The checks and counts then read that table, and the commit inserts its rows
 * placed {@code IN_SLICE}. So a transform that moves event times gives the same rows or the
 * same failure here as in the JVM, and a CSV file is still read once.
 */
final class SlicedStaging {
  static final String TABLE = "temp.produced";
  private static final String SLICE = quote("__backfill_slice");
  private static final String PLACE = quote("__backfill_place");

  private final TableSql sql;
  private final List<Slice> slices;
  private final String sourceTime;

  SlicedStaging(TableSql sql, List<Slice> slices, String sourceTimeColumn) {
    this.sql = sql;
    this.slices = List.copyOf(slices);
    this.sourceTime = quote(sourceTimeColumn);
  }

  /** The staged rows, in the table's columns: what the commit inserts. */
  String stagedRows() {
    return "SELECT " + sql.columns + " FROM " + TABLE + " WHERE " + PLACE + " = " + Placement.IN_SLICE.ordinal();
  }

  /**
   * Reads the source, runs the transform per slice, checks every output row and counts them.
   *
   * @throws InvalidRowException for a null key or event time, a timestamp outside the supported
   *     range, or a row that breaks the point-in-time rule, as the engine would (checked in that
   *     order, the engine's order for one row)
   */
  StagedRows stage(Statement s, DuckDbReadable source, String transformQuery) throws SQLException {
    Instant readStart = slices.get(0).inputStart();
    Instant stop = slices.get(slices.size() - 1).range().stop();
    s.execute("CREATE OR REPLACE TEMP TABLE source_rows AS " + source.selectSql(TimeRange.of(readStart, stop)));
    long read;
    try (ResultSet rs = s.executeQuery("SELECT " + slices.stream()
        .map(slice -> "count(*) FILTER (WHERE " + within(sourceTime, slice.input()) + ")")
        .collect(Collectors.joining(" + ")) + " FROM temp.source_rows")) {
      rs.next();
      read = rs.getLong(1);
    }
    List<String> branches = new ArrayList<>();
    for (int i = 0; i < slices.size(); i++) {
      Slice slice = slices.get(i);
      branches.add("SELECT " + i + " AS " + SLICE + ", " + placement(slice) + " AS " + PLACE + ", o.* FROM ("
          + "WITH source AS (SELECT * FROM temp.source_rows WHERE " + within(sourceTime, slice.input()) + ") "
          + "SELECT " + castColumns() + " FROM (" + transformQuery + ") q) o");
    }
    s.execute("CREATE OR REPLACE TEMP TABLE produced AS " + String.join(" UNION ALL ", branches));
    s.execute("DROP TABLE temp.source_rows");
    return checkAndCount(s, read);
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
    try (ResultSet rs = s.executeQuery("SELECT " + String.join(", ", counts) + " FROM " + TABLE)) {
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
      try (ResultSet rs = s.executeQuery("SELECT " + SLICE + ", " + sql.eventTime + " FROM " + TABLE + " WHERE " + PLACE
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

  private static Instant firstTime(Statement s, String column, String condition) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT " + column + " FROM " + TABLE + " WHERE " + condition + " LIMIT 1")) {
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

  /** The output columns in the table's order, cast to its types as the JVM path converts them. */
  private String castColumns() {
    return sql.spec.schema().fields().stream()
        .map(f -> "CAST(q." + quote(f.name()) + " AS " + DuckDbTypes.sqlType(f.type()) + ") AS " + quote(f.name()))
        .collect(Collectors.joining(", "));
  }
}
