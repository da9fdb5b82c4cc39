package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.DuckDbTypes.quote;
import static dev.backfill.duckdb.internal.ResultSetRows.firstLine;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.duckdb.internal.DuckDbReadable;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.duckdb.internal.ResultSetRows;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.PluginDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.duckdb.DuckDBConnection;

/**
 * A CSV or Parquet file (or, for Parquet, a glob of files) read by DuckDB. The schema is what
 * DuckDB detects, mapped to Backfill's types ({@link DuckDbTypes#fieldType}); timestamps without
 * a zone are UTC and a DATE is its midnight UTC. {@link #read} pushes the time range into DuckDB
 * ({@code WHERE time >= start AND time < stop}), so only the rows of the range reach the JVM,
 * and for Parquet DuckDB skips the row groups whose statistics lie outside the range.
 *
 * <p>Safe for concurrent reads: each read has its own DuckDB connection, closed with the stream.
 */
public final class DuckDbFileSource implements DataSource, DuckDbReadable {
  private final String format;
  private final String location;
  private final String relation;
  private final String timeColumn;
  private final Schema schema;
  private final String columns;

  private DuckDbFileSource(String format, String location, String relation, String timeColumn) {
    this.format = format;
    this.location = location;
    this.relation = relation;
    this.timeColumn = timeColumn;
    this.schema = describe();
    this.columns = schema.fields().stream()
        .map(f -> "CAST(" + quote(f.name()) + " AS " + DuckDbTypes.sqlType(f.type()) + ") AS " + quote(f.name()))
        .collect(Collectors.joining(", "));
  }

  /**
   * A CSV file with a header row; DuckDB detects the delimiter and the column types.
   *
   * @throws IllegalArgumentException naming the option at fault: a missing, unreadable or
   *     directory {@code path}, a {@code time-column} that is absent or not a timestamp or date,
   *     a column of a type Backfill cannot read
   */
  public static DuckDbFileSource csv(Path file, String timeColumn) {
    return csv(file, timeColumn, Map.of());
  }

  /**
   * A CSV file with a header row whose listed columns have the given types instead of those
   * DuckDB detects; the others are detected. A file with a header and no rows needs them: DuckDB
   * detects types from the rows, so without them every column is text.
   *
   * @throws IllegalArgumentException as {@link #csv(Path, String)}, and for a listed column
   *     that is not in the file
   */
  public static DuckDbFileSource csv(Path file, String timeColumn, Map<String, FieldType> types) {
    Objects.requireNonNull(file, "file");
    checkFile(file.toString(), file);
    String declared = types.isEmpty() ? "" : ", types = {" + types.entrySet().stream()
        .map(e -> DuckDbTypes.literal(e.getKey()) + ": " + DuckDbTypes.literal(DuckDbTypes.sqlType(e.getValue())))
        .collect(Collectors.joining(", ")) + "}";
    return new DuckDbFileSource("csv", file.toString(), "read_csv(" + DuckDbTypes.literal(file.toString())
        + ", header = true" + declared + ")", Objects.requireNonNull(timeColumn, "timeColumn"));
  }

  /**
   * A Parquet file, or every file a glob matches ({@code data/*.parquet}, {@code data/**}/*.parquet).
   *
   * @throws IllegalArgumentException as {@link #csv}, and for a glob that matches no file
   */
  public static DuckDbFileSource parquet(String fileOrGlob, String timeColumn) {
    Objects.requireNonNull(fileOrGlob, "fileOrGlob");
    if (isGlob(fileOrGlob)) {
      checkGlob(fileOrGlob);
    } else {
      checkFile(fileOrGlob, Path.of(fileOrGlob));
    }
    return new DuckDbFileSource("parquet", fileOrGlob, "read_parquet(" + DuckDbTypes.literal(fileOrGlob) + ")",
        Objects.requireNonNull(timeColumn, "timeColumn"));
  }

  private static boolean isGlob(String path) {
    return path.contains("*") || path.contains("?") || path.contains("[");
  }

  private static void checkFile(String option, Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("option path '" + option + "': no such file");
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("option path '" + option + "' is a directory; expected a file"
          + " (a Parquet source also takes a glob such as " + file.resolve("*.parquet") + ")");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("option path '" + option + "': the file is not readable by this process");
    }
  }

  private static void checkGlob(String glob) {
    try (DuckDBConnection c = DuckDbSession.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM glob(" + DuckDbTypes.literal(glob) + ")")) {
      rs.next();
      if (rs.getLong(1) == 0) {
        throw new IllegalArgumentException("option path '" + glob + "': the glob matches no file");
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("option path '" + glob + "': " + firstLine(e), e);
    }
  }

  private Schema describe() {
    List<Field> fields = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    String timeType = null;
    try (DuckDBConnection c = DuckDbSession.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + relation)) {
      while (rs.next()) {
        String name = rs.getString("column_name");
        String type = rs.getString("column_type");
        if (name.equals(timeColumn)) {
          timeType = type;
        }
        DuckDbTypes.fieldType(type).ifPresentOrElse(t -> fields.add(new Field(name, t)),
            () -> unreadable.add("'" + name + "' " + type));
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("option path '" + location + "': DuckDB cannot read it as " + format + ": " + firstLine(e), e);
    }
    if (timeType == null) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' is not a column of " + location
          + "; its columns: " + fields.stream().map(Field::name).toList());
    }
    if (DuckDbTypes.fieldType(timeType).orElse(null) != FieldType.TIMESTAMP) {
      throw new IllegalArgumentException("option time-column '" + timeColumn + "' has type " + timeType
          + "; expected a TIMESTAMP, TIMESTAMP WITH TIME ZONE or DATE column" + (format.equals("csv") ? csvTypesHint(fields) : ""));
    }
    if (!unreadable.isEmpty()) {
      throw new IllegalArgumentException("option path '" + location + "': column(s) " + String.join(", ", unreadable)
          + " have types Backfill cannot read (it reads text, integers, floating point and decimals, booleans, "
          + "timestamps and dates)");
    }
    return Schema.of(fields);
  }

  /**
   * Why a CSV's time column is text, and the fix: a file with a header and no rows gives DuckDB
   * nothing to detect types from; otherwise some value of the column is not a time.
   */
  private String csvTypesHint(List<Field> fields) {
    long rows;
    try (DuckDBConnection c = DuckDbSession.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + relation)) {
      rs.next();
      rows = rs.getLong(1);
    } catch (SQLException e) {
      return "";
    }
    String example = fields.stream().map(f -> f.name() + ": " + (f.name().equals(timeColumn) ? "timestamp" : "TYPE"))
        .collect(Collectors.joining(", "));
    return rows == 0
        ? ": " + location + " has a header and no rows, so DuckDB has no values to detect the column types from; "
            + "declare them with the option types, such as types: '" + example + "' (TYPE: string, long, double, "
            + "boolean or timestamp)"
        : ": some value of the column in " + location + " is not a date or time that DuckDB recognises (yyyy-MM-dd, "
            + "yyyy-MM-dd HH:mm:ss); correct it, or declare the column with the option types: '" + timeColumn
            + ": timestamp' to see the value at fault";
  }

  @Override
  public Schema schema() {
    return schema;
  }

  /** The time column named by the {@code time-column} option. */
  public String timeColumn() {
    return timeColumn;
  }

  /** Parquet skips the row groups outside a range by their statistics; CSV is parsed whole. */
  @Override
  public boolean prunesByRange() {
    return format.equals("parquet");
  }

  /**
   * For Parquet, from the files' metadata (no data is read): true when the time column's
   * statistics show every row group, in the order the files are read, starting at or after the
   * end of the one before. False for CSV, and when a row group has no statistics for it.
   */
  @Override
  public boolean inTimeOrder() {
    if (!format.equals("parquet")) {
      return false;
    }
    String stats = "SELECT TRY_CAST(stats_min_value AS TIMESTAMPTZ) AS lo, TRY_CAST(stats_max_value AS TIMESTAMPTZ) AS hi, "
        + "file_name, row_group_id FROM parquet_metadata(" + DuckDbTypes.literal(location) + ") WHERE lower(path_in_schema) = "
        + DuckDbTypes.literal(timeColumn.toLowerCase(java.util.Locale.ROOT));
    return metadataShows("SELECT count(*) > 0 AND count(*) = count(lo) AND count(*) = count(hi) "
        + "AND bool_and(previous_hi IS NULL OR lo >= previous_hi) FROM (SELECT lo, hi, "
        + "lag(hi) OVER (ORDER BY file_name, row_group_id) AS previous_hi FROM (" + stats + "))");
  }

  /**
   * For Parquet, from the files' metadata: true when every row group of every file has each of
   * the columns with a null count of zero. False for CSV, for a row group whose statistics lack
   * a null count or the column (a file of a glob without it), and for files without row groups.
   */
  @Override
  public boolean provablyNoNulls(java.util.List<String> columns) {
    if (!format.equals("parquet") || columns.isEmpty()) {
      return false;
    }
    java.util.Set<String> wanted = new java.util.TreeSet<>();
    columns.forEach(column -> wanted.add(column.toLowerCase(java.util.Locale.ROOT)));
    String listed = wanted.stream().map(DuckDbTypes::literal).collect(java.util.stream.Collectors.joining(", "));
    return metadataShows("SELECT count(*) > 0 AND bool_and(without_nulls = " + wanted.size() + ") FROM ("
        + "SELECT count(DISTINCT lower(path_in_schema)) FILTER (WHERE lower(path_in_schema) IN (" + listed + ") "
        + "AND stats_null_count = 0) AS without_nulls FROM parquet_metadata(" + DuckDbTypes.literal(location) + ") "
        + "GROUP BY file_name, row_group_id)");
  }

  /**
   * The answer of a query of the files' metadata; false when it cannot be read. The metadata is
   * an optimisation: without it the rows are scanned (checked, inserted slice by slice) instead.
   */
  private static boolean metadataShows(String booleanQuery) {
    try (DuckDBConnection c = DuckDbSession.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(booleanQuery)) {
      return rs.next() && rs.getBoolean(1);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public Optional<String> eventTimeColumn() {
    return Optional.of(timeColumn);
  }

  @Override
  public String selectSql(TimeRange range) {
    String time = quote(timeColumn);
    return "SELECT " + columns + " FROM " + relation + " WHERE " + time + " >= " + DuckDbTypes.timestampLiteral(range.start())
        + " AND " + time + " < " + DuckDbTypes.timestampLiteral(range.stop());
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    return query(selectSql(range), "for " + range);
  }

  /** The rows whose time column is null: a scan of the files (Parquet skips row groups without nulls). */
  @Override
  public Stream<Row> readWithoutEventTime() {
    return query("SELECT " + columns + " FROM " + relation + " WHERE " + quote(timeColumn) + " IS NULL",
        "for its rows without a time");
  }

  private Stream<Row> query(String sql, String forWhat) {
    String what = format + " source '" + location + "'";
    DuckDBConnection c = null;
    Statement s = null;
    try {
      c = DuckDbSession.connect();
      s = c.createStatement();
      ResultSet rs = s.executeQuery(sql);
      DuckDBConnection connection = c;
      Statement statement = s;
      return ResultSetRows.stream(rs, schema, "read of the " + what, () -> {
        try (connection; statement; rs) {
          // closed in reverse order
        }
      });
    } catch (SQLException e) {
      ResultSetRows.closeQuietly(s, c);
      throw new StoreException("reading the " + what + " " + forWhat + " failed: " + firstLine(e), e);
    }
  }


  /**
   * The size, modification time and identity of every file the source reads
   * ({@link FileFingerprint}); a glob is expanded again, so a file that appeared or vanished
   * changes it too.
   */
  @Override
  public Optional<String> fingerprint() {
    return Optional.of(FileFingerprint.of(files()));
  }

  /** The files read now: the file, or what the glob matches (as DuckDB expands it). */
  private List<Path> files() {
    if (!isGlob(location)) {
      return List.of(Path.of(location));
    }
    List<Path> files = new ArrayList<>();
    try (DuckDBConnection c = DuckDbSession.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT file FROM glob(" + DuckDbTypes.literal(location) + ")")) {
      while (rs.next()) {
        files.add(Path.of(rs.getString(1)));
      }
    } catch (SQLException e) {
      throw new StoreException("listing the files of the " + this + " failed: " + firstLine(e), e);
    }
    return files;
  }

  @Override
  public String toString() {
    return format + " source '" + location + "' (time column " + timeColumn + ")";
  }

  /** Type {@code parquet} or {@code csv} with the resolved {@code path} and the {@code time-column}. */
  @Override
  public Optional<PluginDefinition> definition() {
    return Optional.of(new PluginDefinition(format, Map.of("path", location, "time-column", timeColumn)));
  }
}
