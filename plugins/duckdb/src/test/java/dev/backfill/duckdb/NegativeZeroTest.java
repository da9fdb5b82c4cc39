package dev.backfill.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillTimes;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.InMemoryOnlineStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sign of a zero feature value from a source, through both paths, into the DuckDB file and
 * back after the store was closed (written to disk) and reopened, and into the online store.
 */
class NegativeZeroTest {
  @TempDir Path dir;

  private FeatureSet featureSet(String csv) throws Exception {
    Path file = Files.writeString(dir.resolve("values.csv"), csv);
    return FeatureSet.builder("values").key("k", FieldType.STRING).eventTime("day").feature("v", FieldType.DOUBLE)
        .source(Plugins.dataSource("csv", Map.of("path", file.toString(), "time-column", "day")))
        .backfillStart(BackfillTimes.parse("2024-01-01")).build();
  }

  /** Each key's stored value as its bits, from both paths, after closing and reopening the stores. */
  private Map<String, Map<String, Long>> storedBits(FeatureSet featureSet) {
    try (BothPaths paths = new BothPaths(dir, featureSet)) {
      for (BackfillClient client : paths.clients()) {
        client.backfill("values").reset().stopTime(BackfillTimes.parse("2024-02-01")).run();
        for (String key : List.of("a", "b")) {
          assertThat(bits(client.readOnline("values", EntityKey.of(key)).orElseThrow()))
              .as("online value of %s", key).isEqualTo(key.equals("a") ? bits(0.0) : bits(-0.0));
        }
      }
    }
    Map<String, Map<String, Long>> byPath = new TreeMap<>();
    for (String path : List.of("fast", "jvm")) {
      try (DuckDbOfflineStore store = DuckDbOfflineStore.open(Optional.of(dir.resolve(path + ".duckdb")), true);
           BackfillClient client = BackfillClient.builder().offlineStore(store).onlineStore(InMemoryOnlineStore.create()).build()) {
        client.register(featureSet);
        Map<String, Long> values = new TreeMap<>();
        try (Stream<Row> rows = client.readOffline("values", TimeRange.all())) {
          rows.forEach(row -> values.put(row.getString("k"), bits(row)));
        }
        store.latest("values", List.of(EntityKey.of("b"))).values()
            .forEach(row -> values.put("latest b", bits(row)));
        byPath.put(path, values);
      }
    }
    return byPath;
  }

  @Test
  void zerosKeepTheirSignOnBothPathsThroughTheFileAndIntoTheOnlineStore() throws Exception {
    FeatureSet featureSet = featureSet("k,day,v\na,2024-01-01,0.0\nb,2024-01-01,-0.0\nc,2024-01-01,-0.0\n"
        + "d,2024-01-01,0.0\ne,2024-01-01,1.5\n");

    Map<String, Long> expected = new TreeMap<>(Map.of("a", bits(0.0), "b", bits(-0.0), "c", bits(-0.0), "d", bits(0.0),
        "e", bits(1.5), "latest b", bits(-0.0)));
    assertThat(storedBits(featureSet)).isEqualTo(Map.of("fast", expected, "jvm", expected));
  }

  /**
   * A DuckDB limit, kept as a test so that a DuckDB release that lifts it is noticed (then this
   * fails, and the README's limit can go): a column segment whose values are all zeros is stored
   * as one constant, so its zeros come back with one sign (DuckDB issue 25580).
   */
  @Test
  void aColumnOfOnlyZerosComesBackWithOneSignADuckDbLimit() throws Exception {
    FeatureSet featureSet = featureSet("k,day,v\na,2024-01-01,0.0\nb,2024-01-01,-0.0\n");

    Map<String, Map<String, Long>> stored = storedBits(featureSet);

    for (Map<String, Long> values : stored.values()) {
      assertThat(values.get("a")).as("both zeros come back with one sign: %s", values).isEqualTo(values.get("b"));
    }
  }

  @Test
  void aNegativeZeroKeyIsStoredAsZeroOnBothPathsSoTheTwoZerosAreOneKey() throws Exception {
    // Issue 17 point 1: the rule for keys (EntityKey) is kept by the fast path's SQL as by the JVM path.
    Path file = Files.writeString(dir.resolve("keys.csv"), "x,day,v\n-0.0,2024-01-01,1.0\n0.0,2024-01-02,2.0\n"
        + "1.5,2024-01-01,3.0\n");
    FeatureSet featureSet = FeatureSet.builder("keyed").key("x", FieldType.DOUBLE).eventTime("day").feature("v", FieldType.DOUBLE)
        .source(Plugins.dataSource("csv", Map.of("path", file.toString(), "time-column", "day")))
        .backfillStart(BackfillTimes.parse("2024-01-01")).build();
    Map<String, List<Long>> keyBits = new TreeMap<>();
    try (BothPaths paths = new BothPaths(dir, featureSet)) {
      for (BackfillClient client : paths.clients()) {
        client.backfill("keyed").reset().stopTime(BackfillTimes.parse("2024-02-01")).run();
        Row zero = client.readOnline("keyed", EntityKey.of(0.0)).orElseThrow();
        assertThat(zero.getDouble("v")).as("the latest of the two zero rows").isEqualTo(2.0);
        assertThat(client.readOnline("keyed", EntityKey.of(-0.0))).contains(zero);
        try (Stream<Row> rows = client.readOffline("keyed", TimeRange.all())) {
          keyBits.put(client == paths.fast ? "fast" : "jvm", rows.map(r -> bits(r.getDouble("x"))).sorted().toList());
        }
      }
      assertThat(paths.fastStore.stagedInStore()).as("the fast path ran").isEqualTo(1);
    }
    List<Long> expected = List.of(bits(0.0), bits(0.0), bits(1.5)).stream().sorted().toList();
    assertThat(keyBits).isEqualTo(Map.of("fast", expected, "jvm", expected));
  }

  private static long bits(Row row) {
    return bits(row.getDouble("v"));
  }

  private static long bits(double value) {
    return Double.doubleToRawLongBits(value);
  }
}
