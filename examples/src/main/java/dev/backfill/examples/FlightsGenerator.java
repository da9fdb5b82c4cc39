package dev.backfill.examples;

import dev.backfill.duckdb.internal.DuckDbTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes the examples' dataset, {@code flights.parquet}: every departure of twelve airports
 * over the 91 days from 2024-01-01, about 40 a day each, with its delay in minutes. The feed has
 * a known fault: in its last week ({@link #FAULTY_WEEK_START} on) delays were recorded in
 * seconds. Deterministic (fixed seed), so the example's output is always the same.
 */
public final class FlightsGenerator {
  static final Instant FIRST_DAY = Instant.parse("2024-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2024-04-01T00:00:00Z");
  static final Instant FAULTY_WEEK_START = Instant.parse("2024-03-25T00:00:00Z");
  static final List<String> AIRPORTS = List.of("ATL", "BOS", "DEN", "DFW", "JFK", "LAX", "MIA", "ORD", "SEA", "SFO", "IAD", "PHX");

  private FlightsGenerator() {}

  /** Writes {@code flights.parquet} into the folder unless it is already there; returns its path. */
  public static Path ensure(Path folder) {
    Path file = folder.resolve("flights.parquet");
    if (Files.exists(file)) {
      return file;
    }
    try {
      Files.createDirectories(folder);
      Path partial = folder.resolve("flights.parquet.partial");
      write(partial);
      Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path file) throws SQLException {
    Random random = new Random(20240101);
    try (DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE flights (origin VARCHAR, destination VARCHAR, date TIMESTAMP, delay BIGINT, distance BIGINT)");
      try (DuckDBAppender appender = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "flights")) {
        for (Instant day = FIRST_DAY; day.isBefore(END); day = day.plus(Duration.ofDays(1))) {
          for (int a = 0; a < AIRPORTS.size(); a++) {
            int departures = 35 + random.nextInt(11);
            for (int f = 0; f < departures; f++) {
              String destination = AIRPORTS.get((a + 1 + random.nextInt(AIRPORTS.size() - 1)) % AIRPORTS.size());
              Instant departure = day.plusSeconds(5 * 3600 + random.nextInt(18 * 3600) / 60 * 60L);
              long delay = Math.round(random.nextGaussian() * 18 + 8);
              appender.beginRow();
              appender.append(AIRPORTS.get(a));
              appender.append(destination);
              appender.appendEpochMicros(DuckDbTypes.epochMicros(departure));
              appender.append(departure.isBefore(FAULTY_WEEK_START) ? delay : delay * 60);
              appender.append(400L + 97L * Math.abs(a - AIRPORTS.indexOf(destination)) + random.nextInt(50));
              appender.endRow();
            }
          }
        }
      }
      s.execute("COPY (SELECT * FROM flights ORDER BY date) TO " + DuckDbTypes.literal(file.toString())
          + " (FORMAT parquet, ROW_GROUP_SIZE 8192)");
    }
  }

  /** Writes the dataset into the folder given as the only argument (default: data). */
  public static void main(String[] args) {
    Path file = ensure(Path.of(args.length > 0 ? args[0] : "data"));
    System.out.println("flights dataset: " + file.toAbsolutePath());
  }
}
