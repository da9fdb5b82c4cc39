package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jdbc source reads the exact rows and instants of a range, boundaries included, when the
 * JVM's and the operating system's zone is Asia/Tokyo (a child JVM with {@code TZ} and
 * {@code user.timezone}, so that the native DuckDB library and every driver see it): against
 * DuckDB ({@code TIMESTAMPTZ}, {@code TIMESTAMP}), PostgreSQL ({@code timestamptz},
 * {@code timestamp}) and MariaDB ({@code TIMESTAMP}, {@code DATETIME}, with and without a
 * session zone of +09:00 forced by the URL). The time column is named with a space, so that it
 * must be quoted the database's way: MariaDB reads {@code "Event Time"} as a string constant.
 *
 * <p>Each database object has a unique name and is dropped afterwards, so concurrent runs do
 * not clash. PostgreSQL and MariaDB must be running on 127.0.0.1 (.ci/run starts them).
 */
class JdbcSourceTimeZoneTest {
  static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
  private static final String ZONE = "Asia/Tokyo";
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant STOP = Instant.parse("2024-01-01T06:00:00Z");
  /** Row i + 1 has time TIMES[i] in both columns; rows 3, 4 and 5 are inside [START, STOP). */
  private static final List<Instant> TIMES = List.of(
      Instant.parse("2023-12-31T15:00:00Z"),          // midnight in Tokyo
      Instant.parse("2023-12-31T23:59:59.999999Z"),
      START,
      Instant.parse("2024-01-01T03:00:00.5Z"),
      Instant.parse("2024-01-01T05:59:59.999999Z"),
      STOP,
      Instant.parse("2024-01-01T09:00:00Z"));          // STOP + 3 h wall time in Tokyo
  private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  @TempDir Path dir;

  private static String wall(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(WALL);
  }

  private static void execute(String url, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** Creates a table of the seven rows; {@code literal} writes one time for the column kind. */
  private static void load(String url, String table, String zonedType, String localType,
      Function<Instant, String> zonedLiteral, Function<Instant, String> localLiteral, String... setup) throws Exception {
    List<String> statements = new ArrayList<>(List.of(setup));
    statements.add("CREATE TABLE " + table + " (id BIGINT, zoned " + zonedType + ", wall " + localType + ")");
    for (int i = 0; i < TIMES.size(); i++) {
      statements.add("INSERT INTO " + table + " VALUES (" + (i + 1) + ", " + zonedLiteral.apply(TIMES.get(i)) + ", "
          + localLiteral.apply(TIMES.get(i)) + ")");
    }
    execute(url, statements.toArray(String[]::new));
  }

  /** The lines the child prints for a source whose rows 3, 4, 5 are in range. */
  private static List<String> expectedRows(String label) {
    return List.of(3, 4, 5).stream().map(id -> label + " " + id + " " + TIMES.get(id - 1) + " " + TIMES.get(id - 1)).toList();
  }

  @Test
  void rangesAndValuesAreUtcInstantsUnderAnotherZone() throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String pgTable = "backfill_tz_" + suffix;
    String mariaTable = "backfill_tz_" + suffix;
    String duckUrl = "jdbc:duckdb:" + dir.resolve("times.duckdb");
    load(duckUrl, "times", "TIMESTAMPTZ", "TIMESTAMP", t -> "TIMESTAMPTZ '" + wall(t) + "+00'",
        t -> "TIMESTAMP '" + wall(t) + "'");
    try {
      load(POSTGRES, pgTable, "timestamptz", "timestamp", t -> "'" + wall(t) + "+00'::timestamptz",
          t -> "'" + wall(t) + "'::timestamp");
      load(MARIADB, mariaTable, "TIMESTAMP(6) NULL", "DATETIME(6)", t -> "'" + wall(t) + "'", t -> "'" + wall(t) + "'",
          "SET time_zone = '+00:00'");

      List<String> lines = runInZone(List.of(
          "duckdb-tz", duckUrl, "SELECT id, zoned AS \"Event Time\", wall FROM times", "Event Time",
          "duckdb-wall", duckUrl, "SELECT id, zoned, wall AS \"Event Time\" FROM times", "Event Time",
          "postgres-tz", POSTGRES, "SELECT id, zoned AS \"Event Time\", wall FROM " + pgTable, "Event Time",
          "postgres-wall", POSTGRES, "SELECT id, zoned, wall AS \"Event Time\" FROM " + pgTable, "Event Time",
          "mariadb-timestamp", MARIADB, "SELECT id, zoned AS `Event Time`, wall FROM " + mariaTable, "Event Time",
          "mariadb-datetime", MARIADB, "SELECT id, zoned, wall AS `Event Time` FROM " + mariaTable, "Event Time",
          "mariadb-tokyo-session", MARIADB + "&connectionTimeZone=GMT+9&forceConnectionTimeZoneToSession=true",
          "SELECT id, zoned AS `Event Time`, wall FROM " + mariaTable, "Event Time"));

      List<String> expected = new ArrayList<>();
      expected.add("jvm " + ZONE);
      for (String[] source : new String[][] {{"duckdb-tz", ZONE}, {"duckdb-wall", ZONE}, {"postgres-tz", ZONE},
          {"postgres-wall", ZONE}, {"mariadb-timestamp", "SYSTEM"}, {"mariadb-datetime", "SYSTEM"},
          {"mariadb-tokyo-session", "+09:00"}}) {
        expected.add("session " + source[0] + " " + source[1]);
        expected.addAll(expectedRows(source[0]));
      }
      assertThat(lines).containsExactlyElementsOf(expected);
    } finally {
      execute(POSTGRES, "DROP TABLE IF EXISTS " + pgTable);
      execute(MARIADB, "DROP TABLE IF EXISTS " + mariaTable);
    }
  }

  private static List<String> runInZone(List<String> sources) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Duser.timezone=" + ZONE, "-cp", System.getProperty("java.class.path"),
        ReadJdbcSourceInZone.class.getName(), START.toString(), STOP.toString()));
    command.addAll(sources);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("TZ", ZONE);
    Process child = builder.start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the child JVM ends").isTrue();
    assertThat(child.exitValue()).as("the child JVM's exit code; its output:%n%s", out).isZero();
    return out.lines().toList();
  }
}
