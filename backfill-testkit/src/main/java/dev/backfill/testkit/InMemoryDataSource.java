package dev.backfill.testkit;

import dev.backfill.api.InvalidValueException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** A source over a fixed list of rows; {@link #read} returns exactly the rows in the range. */
public final class InMemoryDataSource implements DataSource {
  private final Schema schema;
  private final String eventTimeColumn;
  private final List<Row> rows;

  private InMemoryDataSource(Schema schema, String eventTimeColumn, List<Row> rows) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.eventTimeColumn = Objects.requireNonNull(eventTimeColumn, "eventTimeColumn");
    if (schema.field(eventTimeColumn).isEmpty()) {
      throw new InvalidValueException("event-time column '" + eventTimeColumn + "' is not in schema " + schema);
    }
    this.rows = List.copyOf(rows);
    for (Row row : this.rows) {
      if (!row.schema().equals(schema)) {
        throw new InvalidValueException("row " + row + " does not have the source schema " + schema);
      }
    }
  }

  public static InMemoryDataSource of(Schema schema, String eventTimeColumn, List<Row> rows) {
    return new InMemoryDataSource(schema, eventTimeColumn, rows);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Stream<Row> read(TimeRange range) {
    return rows.stream().filter(row -> {
      var t = row.getInstant(eventTimeColumn);
      return t != null && range.contains(t);
    });
  }

  /** The rows whose event time is null, which no range holds. */
  @Override
  public Stream<Row> readWithoutEventTime() {
    return rows.stream().filter(row -> row.get(eventTimeColumn) == null);
  }

  @Override
  public Optional<String> eventTimeColumn() {
    return Optional.of(eventTimeColumn);
  }

  /** The rows of the source, all of them. */
  public List<Row> rows() {
    return rows;
  }

  @Override
  public String toString() {
    return "memory(" + rows.size() + " rows)";
  }
}
