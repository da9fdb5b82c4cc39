package dev.backfill.duckdb;

import static dev.backfill.duckdb.internal.DuckDbTypes.quote;
import static dev.backfill.duckdb.internal.ResultSetRows.firstLine;

import dev.backfill.api.Field;
import dev.backfill.api.Schema;
import dev.backfill.duckdb.internal.DuckDbSession;
import dev.backfill.duckdb.internal.DuckDbTypes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/**
 * The checks a user's query over the relation {@code source} passes before Backfill runs it:
 * DuckDB's parser must see exactly one SELECT that reads {@code source} ({@link #checkText}),
 * and the query must bind and run over an empty {@code source} of the input's columns in the
 * database it will run in ({@link #check}). In the sandbox
 * ({@link DuckDbSession#connectSandbox()}) the second check refuses a query that touches
 * anything but {@code source} (a file, a URL, another database, an extension, a table) before it
 * reaches any other DuckDB database: that is what lets the offline store run a sql transform
 * inside its own database, which must read the source's files itself.
 *
 * <p>Every refusal is an {@link IllegalArgumentException} of one line that names the option
 * {@code query}, its value and what was refused.
 */
final class UserSql {
  private static final String ONE_SELECT = "a sql transform is one SELECT over the relation source";
  private static final String SOURCE_ONLY = "a sql transform reads only the backfill's source unless its option "
      + "allow-external-access is true";
  private static final Pattern READS_SOURCE = Pattern.compile("\"table_name\"\\s*:\\s*\"source\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern FIRST_WORD =
      Pattern.compile("\\A(?:\\s+|--[^\\n]*(?:\\n|\\z)|/\\*.*?\\*/)*([A-Za-z]+)", Pattern.DOTALL);
  private static final Set<String> QUERY_WORDS = Set.of("SELECT", "WITH", "FROM", "VALUES", "TABLE");

  private UserSql() {}

  /**
   * The query without trailing semicolons, once DuckDB's parser finds in it exactly one SELECT
   * that reads {@code source}. Only then may it be embedded in another statement, as
   * {@link #asSubquery}: one complete statement cannot close the parenthesis around it.
   */
  static String checkText(String query) {
    String trimmed = query.strip();
    while (trimmed.endsWith(";")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
    }
    String json;
    long statements;
    String error;
    try (DuckDBConnection c = DuckDbSession.connectSandbox();
         PreparedStatement s = c.prepareStatement("SELECT j, CASE WHEN json_extract(j, '$.error')::BOOLEAN THEN 0 "
             + "ELSE json_array_length(j, '$.statements') END, json_extract_string(j, '$.error_message'), "
             + "json_extract_string(j, '$.position') FROM (SELECT json_serialize_sql(?::VARCHAR) AS j)")) {
      s.setString(1, trimmed);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        json = rs.getString(1);
        statements = rs.getLong(2);
        error = rs.getString(3) == null ? json : rs.getString(3).replace('\n', ' ')
            + (rs.getString(4) == null ? "" : " (at character " + (Long.parseLong(rs.getString(4)) + 1) + " of the query)");
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("option query '" + trimmed + "' cannot be checked: " + firstLine(e), e);
    }
    if (json.contains("\"error\":true")) {
      if (json.contains("Only SELECT statements")) {
        throw refused(trimmed, describeStatement(trimmed) + "; " + ONE_SELECT);
      }
      throw new IllegalArgumentException("option query '" + trimmed + "' is not a valid DuckDB SELECT: " + error);
    }
    if (statements != 1) {
      throw refused(trimmed, statements + " statements; " + ONE_SELECT);
    }
    if (!READS_SOURCE.matcher(json).find()) {
      throw new IllegalArgumentException("option query '" + trimmed + "' reads no relation 'source'; "
          + "the input rows are the relation source, e.g. SELECT * FROM source");
    }
    return trimmed;
  }

  /** "a COPY statement", or, when the first statement is a query, that others follow it. */
  private static String describeStatement(String query) {
    Matcher first = FIRST_WORD.matcher(query);
    String word = first.find() ? first.group(1).toUpperCase(Locale.ROOT) : "";
    if (word.isEmpty() || QUERY_WORDS.contains(word)) {
      return "more than one statement, not all of them SELECT";
    }
    return ("AEIOU".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word + " statement";
  }

  /**
   * The output columns of a query that passed {@link #checkText}, bound and run over an empty
   * {@code source} with the input's columns on connection {@code c} (which this closes).
   *
   * @throws IllegalArgumentException naming the query: refused (it reached outside
   *     {@code source}, or needs an extension), does not bind, or has an output column of a type
   *     Backfill cannot read
   */
  static Schema check(DuckDBConnection c, String query, Schema input) {
    try (c; Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE source (" + sourceColumns(input) + ")");
      List<Field> fields = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + asSubquery(query) + " q")) {
        while (rs.next()) {
          String name = rs.getString("column_name");
          String type = rs.getString("column_type");
          fields.add(new Field(name, DuckDbTypes.fieldType(type).orElseThrow(() -> new IllegalArgumentException(
              "option query '" + query + "': output column '" + name + "' has type " + type
                  + ", which Backfill cannot read; CAST it to VARCHAR, BIGINT, DOUBLE, BOOLEAN or TIMESTAMP"))));
        }
      }
      // Binding is not all: a query may fail only when it runs, even over no rows.
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + asSubquery(query) + " q")) {
        rs.next();
      }
      return Schema.of(fields);
    } catch (SQLException e) {
      String reason = firstLine(e);
      if (reason.startsWith("Permission Error")) {
        throw refused(query, "it reaches outside the relation source (" + reason + "); " + SOURCE_ONLY);
      }
      if (reason.contains(" extension") && (reason.contains("not in the catalog") || reason.contains("not loaded"))) {
        throw refused(query, "it needs a DuckDB extension (" + reason + "); " + SOURCE_ONLY);
      }
      throw new IllegalArgumentException("option query '" + query + "' does not bind to the source columns "
          + input.names() + ": " + reason, e);
    }
  }

  /** {@link #checkText} and {@link #check} in the sandbox. */
  static Schema checkInSandbox(String query, Schema input) {
    String checked = checkText(query);
    try {
      return check(DuckDbSession.connectSandbox(), checked, input);
    } catch (SQLException e) {
      throw new IllegalArgumentException("option query '" + query + "' cannot be checked: " + firstLine(e), e);
    }
  }

  /**
   * Whether a query that passed {@link #checkInSandbox} is row by row: DuckDB's plan of it over
   * {@code source} is one scan of {@code source} under nothing but projections and filters (no
   * aggregate, window, join, sort, limit, set operation, CTE or unnest). Each output row of
   * such a query depends on one input row alone, so running it once over the union of the
   * slices' input windows gives the union of running it on each: what lets the fast path insert
   * a range in one scan. False when DuckDB cannot plan it here, or the plan has anything else.
   */
  static boolean isRowWise(String query, Schema input) {
    try (DuckDBConnection c = DuckDbSession.connectSandbox(); Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE source (" + sourceColumns(input) + ")");
      String plan;
      try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT json) SELECT * FROM " + asSubquery(checkText(query)) + " q")) {
        rs.next();
        plan = rs.getString(2);
      }
      Matcher operator = PLAN_OPERATOR.matcher(plan);
      int scans = 0;
      while (operator.find()) {
        String name = operator.group(1).strip();
        if (name.equals("SEQ_SCAN")) {
          scans++;
        } else if (!ROW_WISE_OPERATORS.contains(name)) {
          return false;
        }
      }
      return scans == 1;
    } catch (SQLException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether the output column {@code output} of a query that passed {@link #checkInSandbox} is
   * the column {@code sourceColumn} of {@code source}, unchanged, by DuckDB's parse of it: one
   * SELECT straight from {@code source} (no CTE, no subquery), whose select list gives
   * {@code output} exactly once, by a plain reference to {@code sourceColumn} or by a plain
   * {@code *} (when the names agree). Names compare as DuckDB compares them, ignoring case. An
   * item whose name is not given (an expression without alias, a {@code *} with
   * {@code EXCLUDE} or {@code REPLACE}) makes the answer false, as does anything unexpected.
   * With {@link #isRowWise}, an output row then keeps the event time of its input row.
   */
  static boolean keepsColumn(String query, String output, String sourceColumn) {
    String want = output.toLowerCase(Locale.ROOT);
    String lastName = "lower(it->>('$.column_names[' || (json_array_length(it->'$.column_names') - 1) || ']'))";
    try (DuckDBConnection c = DuckDbSession.connectSandbox();
         PreparedStatement from = c.prepareStatement("SELECT " + STRAIGHT_FROM_SOURCE + " FROM " + PARSED);
         PreparedStatement items = c.prepareStatement("SELECT it->>'class', lower(it->>'alias'), " + lastName + ", "
             + "coalesce(json_array_length(it->'$.replace_list'), 0) + coalesce(json_array_length(it->'$.exclude_list'), 0) "
             + "FROM (SELECT unnest(json_extract(n, '$.select_list[*]')) AS it FROM " + PARSED + ")")) {
      String checked = checkText(query);
      from.setString(1, checked);
      try (ResultSet rs = from.executeQuery()) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return false;
        }
      }
      items.setString(1, checked);
      List<String> producers = new ArrayList<>();
      try (ResultSet rs = items.executeQuery()) {
        while (rs.next()) {
          String kind = rs.getString(1);
          String alias = rs.getString(2) == null ? "" : rs.getString(2);
          if (kind.equals("STAR")) {
            if (rs.getLong(4) != 0 || !alias.isEmpty()) {
              return false;
            }
            // Gives the source's column of that name, if it has one.
            producers.add(want);
          } else if (kind.equals("COLUMN_REF")) {
            if ((alias.isEmpty() ? rs.getString(3) : alias).equals(want)) {
              producers.add(rs.getString(3));
            }
          } else if (alias.isEmpty()) {
            return false;
          } else if (alias.equals(want)) {
            producers.add("");
          }
        }
      }
      return producers.size() == 1 && producers.get(0).equals(sourceColumn.toLowerCase(Locale.ROOT));
    } catch (SQLException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether a query that passed {@link #checkInSandbox} and {@link #isRowWise} gives exactly one
   * output row for each input row, by DuckDB's parse of it: one SELECT straight from
   * {@code source} with no WHERE, GROUP BY, HAVING, QUALIFY, sample, CTE or modifier (DISTINCT,
   * ORDER BY, LIMIT). With a row-wise plan (no set-returning function, aggregate or window) the
   * output then has the input's row count, which the fast path reads from the source's metadata
   * instead of counting. False for anything unexpected.
   */
  static boolean keepsEveryRow(String query) {
    try (DuckDBConnection c = DuckDbSession.connectSandbox();
         PreparedStatement shape = c.prepareStatement("SELECT " + STRAIGHT_FROM_SOURCE
             + " AND json_type(n, '$.from_table.sample') = 'NULL' "
             + "AND json_array_length(n, '$.modifiers') = 0 AND json_array_length(n, '$.group_expressions') = 0 "
             + "AND json_array_length(n, '$.group_sets') = 0 AND json_type(n, '$.where_clause') = 'NULL' "
             + "AND json_type(n, '$.having') = 'NULL' AND json_type(n, '$.qualify') = 'NULL' "
             + "AND json_type(n, '$.sample') = 'NULL' FROM " + PARSED)) {
      shape.setString(1, checkText(query));
      try (ResultSet rs = shape.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * DuckDB's parse of the query given as the statement's one parameter, as a relation whose
   * column {@code n} is its first statement's node (JSON).
   */
  private static final String PARSED = "(SELECT json_extract(json_serialize_sql(?::VARCHAR), '$.statements[0].node') AS n)";
  /** Over {@link #PARSED}: one SELECT straight from the relation {@code source}, without a CTE. */
  private static final String STRAIGHT_FROM_SOURCE = "json_extract_string(n, '$.type') = 'SELECT_NODE' "
      + "AND json_extract_string(n, '$.from_table.type') = 'BASE_TABLE' "
      + "AND lower(json_extract_string(n, '$.from_table.table_name')) = 'source' "
      + "AND json_array_length(n, '$.cte_map.map') = 0";

  /** An operator of a plan in DuckDB's JSON form: {@code "name": "PROJECTION"}. */
  private static final Pattern PLAN_OPERATOR = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
  private static final Set<String> ROW_WISE_OPERATORS = Set.of("PROJECTION", "FILTER");

  /**
   * The query in parentheses, for {@code FROM (...) q}; the line breaks end a trailing
   * {@code --} comment before the closing parenthesis.
   */
  static String asSubquery(String query) {
    return "(\n" + query + "\n)";
  }

  /** The column definitions of the relation {@code source} for rows of the schema. */
  static String sourceColumns(Schema schema) {
    return schema.fields().stream().map(f -> quote(f.name()) + " " + DuckDbTypes.sqlType(f.type()))
        .collect(Collectors.joining(", "));
  }

  private static IllegalArgumentException refused(String query, String what) {
    return new IllegalArgumentException("option query '" + query + "' is refused: " + what);
  }
}
