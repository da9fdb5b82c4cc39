package dev.backfill.redis;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.testkit.InMemoryDataSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A process of {@link RedisTwoProcessesTest}: backfills (reset) one feature set of {@code keys}
 * keys into Redis, then ingests a newer row for every tenth key, and prints {@code done}.
 * Arguments: Redis URI, namespace, feature set name, key count.
 */
public final class ChildBackfillMain {
  static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

  private ChildBackfillMain() {}

  /** The feature set of a child, named {@code name}, over {@code rows}. */
  static FeatureSet featureSet(String name, List<Row> rows) {
    FeatureSet shape = FeatureSet.builder(name).key("user", FieldType.STRING).eventTime("ts").feature("value", FieldType.STRING)
        .backfillStart(T0.minusSeconds(86_400)).build();
    return FeatureSet.builder(name).key("user", FieldType.STRING).eventTime("ts").feature("value", FieldType.STRING)
        .source(InMemoryDataSource.of(shape.schema(), "ts", rows)).backfillStart(T0.minusSeconds(86_400)).build();
  }

  /** The rows a child backfills. */
  static List<Row> backfilled(String name, int keys) {
    FeatureSet shape = featureSet(name, List.of());
    return IntStream.range(0, keys).mapToObj(i -> Row.of(shape.schema(), "u" + i, T0, name + "-" + i)).toList();
  }

  /** The rows a child ingests after its backfill. */
  static List<Row> ingested(String name, int keys) {
    FeatureSet shape = featureSet(name, List.of());
    return IntStream.range(0, keys).filter(i -> i % 10 == 0)
        .mapToObj(i -> Row.of(shape.schema(), "u" + i, T0.plusSeconds(60), name + "-ingested-" + i)).toList();
  }

  public static void main(String[] args) {
    String uri = args[0];
    String namespace = args[1];
    String name = args[2];
    int keys = Integer.parseInt(args[3]);
    try (BackfillClient client = BackfillClient.builder().offlineStore("memory", Map.of())
        .onlineStore("redis", Map.of("uri", uri, "namespace", namespace)).build()) {
      client.register(featureSet(name, backfilled(name, keys)));
      BackfillResult result = client.backfill(name).reset().run();
      client.ingest(name, ingested(name, keys));
      System.out.println("done " + result.onlineKeysWritten());
    }
  }
}
