package dev.backfill.duckdb;

import dev.backfill.api.Field;
import dev.backfill.api.FieldType;
import dev.backfill.api.Schema;
import dev.backfill.duckdb.internal.DuckDbTypes;
import dev.backfill.spi.TableSpec;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The feature-set tables and commit ids recorded in the database file itself, in the schema
 * {@code backfill_internal}, so that a store reopened by another process knows each table's
 * keys and event time, and whether a replacement committed before a crash.
 */
final class TableCatalog {
  private static final String TABLES = "backfill_internal.tables";
  private static final String COMMITS = "backfill_internal.commits";

  private TableCatalog() {}

  static void initialise(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS backfill_internal");
      s.execute("CREATE SCHEMA IF NOT EXISTS " + TableSql.LATEST_SCHEMA);
      s.execute("CREATE TABLE IF NOT EXISTS " + TABLES + " (name VARCHAR PRIMARY KEY, columns VARCHAR[] NOT NULL, "
          + "types VARCHAR[] NOT NULL, key_columns VARCHAR[] NOT NULL, event_time_column VARCHAR NOT NULL)");
      s.execute("CREATE TABLE IF NOT EXISTS " + COMMITS + " (table_name VARCHAR NOT NULL, commit_id VARCHAR NOT NULL, "
          + "committed_at TIMESTAMP NOT NULL, rows_deleted BIGINT NOT NULL, rows_added BIGINT NOT NULL, "
          + "PRIMARY KEY (table_name, commit_id))");
    }
  }

  static List<TableSpec> load(Connection connection) throws SQLException {
    List<TableSpec> specs = new ArrayList<>();
    try (Statement s = connection.createStatement();
         ResultSet rs = s.executeQuery("SELECT name, columns, types, key_columns, event_time_column FROM " + TABLES)) {
      while (rs.next()) {
        List<String> columns = strings(rs.getArray(2));
        List<String> types = strings(rs.getArray(3));
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          fields.add(new Field(columns.get(i), FieldType.valueOf(types.get(i))));
        }
        specs.add(new TableSpec(rs.getString(1), Schema.of(fields), strings(rs.getArray(4)), rs.getString(5)));
      }
    }
    return specs;
  }

  static void record(Connection connection, TableSpec spec) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLES + " VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, spec.name());
      insert.setArray(2, connection.createArrayOf("VARCHAR", spec.schema().names().toArray()));
      insert.setArray(3, connection.createArrayOf("VARCHAR",
          spec.schema().fields().stream().map(f -> f.type().name()).toArray()));
      insert.setArray(4, connection.createArrayOf("VARCHAR", spec.keyColumns().toArray()));
      insert.setString(5, spec.eventTimeColumn());
      insert.executeUpdate();
    }
  }

  /** Removes the table's spec and commit ids, in the caller's transaction. */
  static void forget(Connection connection, String table) throws SQLException {
    for (String statement : List.of("DELETE FROM " + TABLES + " WHERE name = ?", "DELETE FROM " + COMMITS + " WHERE table_name = ?")) {
      try (PreparedStatement delete = connection.prepareStatement(statement)) {
        delete.setString(1, table);
        delete.executeUpdate();
      }
    }
  }

  static void recordCommit(Connection connection, String table, String commitId, long deleted, long added)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + COMMITS + " VALUES (?, ?, " + DuckDbTypes.timestampLiteral(java.time.Instant.now().truncatedTo(
            java.time.temporal.ChronoUnit.MICROS)) + ", ?, ?)")) {
      insert.setString(1, table);
      insert.setString(2, commitId);
      insert.setLong(3, deleted);
      insert.setLong(4, added);
      insert.executeUpdate();
    }
  }

  static boolean isCommitted(Connection connection, String table, String commitId) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT count(*) FROM " + COMMITS + " WHERE table_name = ? AND commit_id = ?")) {
      query.setString(1, table);
      query.setString(2, commitId);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  /**
   * What DuckDB holds under the name in {@code main}, ignoring case as DuckDB's catalog does
   * ("BASE TABLE 'Trips'"), or empty.
   */
  static Optional<String> existingUserTable(Connection connection, String name) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT table_type || ' ''' || table_name || '''' FROM information_schema.tables WHERE table_schema = 'main' "
            + "AND lower(table_name) = lower(?)")) {
      query.setString(1, name);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static List<String> strings(Array array) throws SQLException {
    return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
  }
}
