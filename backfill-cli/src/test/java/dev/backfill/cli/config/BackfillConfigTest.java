package dev.backfill.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.spi.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillConfigTest {
  private static final String DESIGN_EXAMPLE = """
      environments:                      # --environment picks one
        local:
          offline-store: {type: duckdb, path: data/offline.duckdb}
          online-store: {type: rocksdb, path: data/online}
          job-history: data/jobs
        shared:
          offline-store: {type: duckdb, path: /srv/features/offline.duckdb}
          online-store: {type: redis, uri: "redis://127.0.0.1:6379/0"}
          job-history: /srv/features/jobs
      feature-sets:
        airport_delays:
          keys: {origin: string}         # in order; more than one makes a composite key
          event-time: date
          features: {delay: long, distance: long, destination: string}
          source: {type: parquet, path: flights.parquet, time-column: date}
          transform: {type: sql, query: "SELECT origin, date, delay, distance, destination FROM source"}
          backfill-start: 2001-01-01     # any of the three time forms
          cluster-template: small        # optional, default small
        trips:
          keys: {city: string, driver: long}
          event-time: day
          source: {type: csv, path: /abs/trips.csv, time-column: day}
          backfill-start: "2024-06-01 12:30:00"
          cluster-template: XLarge
      """;

  @TempDir Path folder;

  @Test
  void readsTheExampleOfTheDesign() throws IOException {
    BackfillConfig config = BackfillConfig.load(write(DESIGN_EXAMPLE));

    assertThat(config.environments()).containsOnlyKeys("local", "shared");
    EnvironmentConfig local = config.environment("local");
    assertThat(local.offlineStore().type()).isEqualTo("duckdb");
    assertThat(local.offlineStore().options()).containsEntry("path", folder.resolve("data/offline.duckdb").toString());
    assertThat(local.onlineStore().options()).containsEntry("path", folder.resolve("data/online").toString());
    assertThat(local.historyDirectory()).contains(folder.resolve("data/jobs"));
    EnvironmentConfig shared = config.environment("shared");
    assertThat(shared.onlineStore().options()).containsExactlyEntriesOf(java.util.Map.of("uri", "redis://127.0.0.1:6379/0"));
    assertThat(shared.historyDirectory()).contains(Path.of("/srv/features/jobs"));

    FeatureSetConfig delays = config.featureSet("airport_delays");
    assertThat(delays.keys()).containsExactly(java.util.Map.entry("origin", FieldType.STRING));
    assertThat(delays.eventTime()).isEqualTo("date");
    assertThat(delays.features().keySet()).containsExactly("delay", "distance", "destination");
    assertThat(delays.source().options()).containsEntry("path", folder.resolve("flights.parquet").toString())
        .containsEntry("time-column", "date");
    assertThat(delays.transform().orElseThrow().options().get("query")).startsWith("SELECT origin");
    assertThat(delays.backfillStart()).isEqualTo(BackfillTimes.parse("2001-01-01"));
    assertThat(delays.clusterTemplate()).isEqualTo(ClusterTemplate.SMALL);

    FeatureSetConfig trips = config.featureSet("trips");
    assertThat(trips.keys().keySet()).containsExactly("city", "driver");
    assertThat(trips.features()).isEmpty();
    assertThat(trips.transform()).isEmpty();
    assertThat(trips.source().options()).containsEntry("path", "/abs/trips.csv");
    assertThat(trips.backfillStart()).isEqualTo(BackfillTimes.parse("2024-06-01T12:30:00"));
    assertThat(trips.clusterTemplate()).isEqualTo(ClusterTemplate.XLARGE);
    assertThat(trips.toFeatureSet(Optional.empty(), dev.backfill.spi.Transform.identity()).keyColumns())
        .containsExactly("city", "driver");
  }

  @Test
  void unknownKeysNameTheFileTheLineAndTheValidKeys() throws IOException {
    assertError(DESIGN_EXAMPLE.replaceFirst("    job-history: data/jobs\n", "    job-history: data/jobs\n    jobs-history: x\n"),
        "backfill.yaml:6: environments.local.jobs-history: unknown key; valid keys here: engine, offline-store, online-store, job-history");
    assertError("environment:\n  local: {}\n", "backfill.yaml:1: environment: unknown key; valid keys here: environments, feature-sets");
    assertError(DESIGN_EXAMPLE.replace("    cluster-template: small", "    cluster_template: small"),
        "backfill.yaml:18: feature-sets.airport_delays.cluster_template: unknown key; valid keys here: keys, event-time,");
  }

  @Test
  void badValuesNameTheFileTheLineTheKeyAndWhatIsValid() throws IOException {
    assertError(DESIGN_EXAMPLE.replace("{origin: string}", "{origin: text}"),
        "backfill.yaml:12: feature-sets.airport_delays.keys.origin: 'text' is not a column type; valid types: string, long, double, boolean, timestamp");
    assertError(DESIGN_EXAMPLE.replace("backfill-start: 2001-01-01", "backfill-start: 2001-02-30"),
        "backfill.yaml:17: feature-sets.airport_delays.backfill-start: invalid time '2001-02-30'");
    assertError(DESIGN_EXAMPLE.replace("cluster-template: small", "cluster-template: huge"),
        "backfill.yaml:18: feature-sets.airport_delays.cluster-template: unknown cluster template 'huge'; valid templates: SMALL, MEDIUM, LARGE, XLARGE");
    assertError(DESIGN_EXAMPLE.replace("keys: {origin: string}", "keys: {}"),
        "backfill.yaml:12: feature-sets.airport_delays.keys: a feature set needs at least one key column");
    assertError(DESIGN_EXAMPLE.replace("keys: {origin: string}", "keys: [origin]"),
        "backfill.yaml:12: feature-sets.airport_delays.keys: expected a mapping of keys to values, found a list");
    assertError(DESIGN_EXAMPLE.replace("{type: parquet, path", "{path"),
        "backfill.yaml:15: feature-sets.airport_delays.source: the key 'type' is missing");
    assertError(DESIGN_EXAMPLE.replace("    event-time: date\n", ""),
        "backfill.yaml:11: feature-sets.airport_delays: the key 'event-time' is missing");
    assertError(DESIGN_EXAMPLE.replace("features: {delay: long,", "features: {origin: long,"),
        "backfill.yaml:11: feature-sets.airport_delays: feature set 'airport_delays'");
    assertError(DESIGN_EXAMPLE.replace("job-history: data/jobs", "job-history:"),
        "backfill.yaml:2: environments.local: the key 'job-history' is missing");
  }

  @Test
  void yamlThatDoesNotParseAndDuplicateKeysAreErrorsWithTheirLine() throws IOException {
    // The parser's whole message, at the line of the problem (here the end of the file), not only
    // its first line ("while parsing a flow node").
    assertError("environments:\n  local: {offline-store: [\n", "backfill.yaml:3: not valid YAML: while parsing a flow "
        + "node (line 3, column 1): expected the node content, but found '<stream end>' (line 3, column 1)");
    assertError("environments:\n  local: {}\n  local: {}\n", "backfill.yaml:3: environments.local: the key appears twice");
    assertError("", "backfill.yaml:1: the key 'environments' is missing");
  }

  @Test
  void aPluginThatRefusesItsOptionsIsAnErrorAtItsEntry() throws IOException {
    BackfillConfig config = BackfillConfig.load(write(DESIGN_EXAMPLE.replace("{type: duckdb, path: data/offline.duckdb}",
        "{type: duckdb, file: data/offline.duckdb}")));
    assertThatThrownBy(() -> config.environment("local").offlineStore().create(Plugins::offlineStore))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backfill.yaml:3: environments.local.offline-store: offline store 'duckdb': ")
        .hasMessageContaining("file");
    assertThatThrownBy(() -> config.environment("local").onlineStore().create(Plugins::offlineStore))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backfill.yaml:4: environments.local.online-store: unknown offline store type 'rocksdb'; known types: duckdb");
  }

  /** A sql transform's refusal and its allow-external-access option travel through the file unchanged. */
  @Test
  void aSqlTransformsOptionsReachThePluginFromTheFile() throws IOException {
    String readsAFile = "transform: {type: sql, query: \"SELECT s.* FROM source s, read_csv('other.csv') o\"";
    BackfillConfig config = BackfillConfig.load(write(DESIGN_EXAMPLE.replace(
        "transform: {type: sql, query: \"SELECT origin, date, delay, distance, destination FROM source\"",
        readsAFile + ", allow-external-access: true")));
    PluginConfig trusted = config.featureSet("airport_delays").transform().orElseThrow();
    assertThat(trusted.options()).containsEntry("allow-external-access", "true");
    assertThat(trusted.create(Plugins::transform).toString()).contains("external access allowed");

    BackfillConfig refused = BackfillConfig.load(write(DESIGN_EXAMPLE.replace(
        "transform: {type: sql, query: \"SELECT origin, date, delay, distance, destination FROM source\"",
        "transform: {type: sql, query: \"COPY (SELECT * FROM source) TO 'x.csv'\"")));
    assertThatThrownBy(() -> refused.featureSet("airport_delays").transform().orElseThrow().create(Plugins::transform))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backfill.yaml:16: feature-sets.airport_delays.transform: transform 'sql': option query")
        .hasMessageContaining("is refused: a COPY statement");
  }

  @Test
  void unknownEnvironmentsAndFeatureSetsNameTheKnownOnes() throws IOException {
    BackfillConfig config = BackfillConfig.load(write(DESIGN_EXAMPLE));
    assertThatThrownBy(() -> config.environment("prod")).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageStartingWith("unknown environment 'prod'; environments in ").hasMessageEndingWith("backfill.yaml: local, shared");
    assertThatThrownBy(() -> config.featureSet("nope")).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageEndingWith("backfill.yaml: airport_delays, trips").hasMessageStartingWith("unknown feature set 'nope'");
  }

  @Test
  void theFileIsTheOptionElseTheVariableElseBackfillYamlHere() throws IOException {
    Path here = write(DESIGN_EXAMPLE);
    Path other = Files.writeString(folder.resolve("other.yaml"), DESIGN_EXAMPLE);
    Path third = Files.writeString(folder.resolve("third.yaml"), DESIGN_EXAMPLE);

    assertThat(ConfigFiles.locate(Optional.of("other.yaml"), Optional.of("third.yaml"), folder)).isEqualTo(other);
    assertThat(ConfigFiles.locate(Optional.empty(), Optional.of(third.toString()), folder)).isEqualTo(third);
    assertThat(ConfigFiles.locate(Optional.empty(), Optional.empty(), folder)).isEqualTo(here);
    assertThatThrownBy(() -> ConfigFiles.locate(Optional.of("missing.yaml"), Optional.empty(), folder))
        .isInstanceOf(ConfigException.class).hasMessageContaining("missing.yaml (from --config missing.yaml) does not exist");
    assertThatThrownBy(() -> ConfigFiles.locate(Optional.empty(), Optional.empty(), folder.resolve("data")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backfill.yaml is not in").hasMessageContaining("--config FILE or BACKFILL_CONFIG");
  }

  private void assertError(String yaml, String expectedStart) throws IOException {
    Path file = write(yaml);
    Path relative = Path.of("").toAbsolutePath().relativize(file);
    assertThatThrownBy(() -> BackfillConfig.load(relative))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(e.getMessage().lines().count()).isEqualTo(1))
        .hasMessageStartingWith(relative.toString().replace("backfill.yaml", "") + expectedStart);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(folder.resolve("backfill.yaml"), yaml);
  }

}
