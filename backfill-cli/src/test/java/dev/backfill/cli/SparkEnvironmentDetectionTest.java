package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/spark-environment.awk}, which {@code bin/backfill} runs to tell whether the chosen
 * environment's engine is spark (its jars then go on the class path): run with the system's
 * {@code awk} on configurations of several layouts.
 */
class SparkEnvironmentDetectionTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("backfill.repository", "..")).toAbsolutePath().normalize();
  private static final Path SCRIPT = REPOSITORY.resolve("bin/spark-environment.awk");

  @TempDir Path folder;

  private boolean spark(String yaml, String environment) throws IOException, InterruptedException {
    Path config = Files.writeString(folder.resolve("backfill.yaml"), yaml);
    Process awk = new ProcessBuilder("awk", "-v", "env=" + environment, "-f", SCRIPT.toString(), config.toString())
        .redirectErrorStream(true).start();
    assertThat(awk.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(awk.getInputStream().readAllBytes());
    assertThat(output).as("awk prints nothing").isEmpty();
    return awk.exitValue() == 0;
  }

  @Test
  void theExamplesConfigurationHasOneSparkEnvironment() throws Exception {
    String examples = Files.readString(REPOSITORY.resolve("examples/backfill.yaml"));
    assertThat(spark(examples, "spark")).isTrue();
    for (String other : new String[] {"local", "iceberg", "iceberg-redis", "redis", "no-such-environment"}) {
      assertThat(spark(examples, other)).as(other).isFalse();
    }
  }

  @Test
  void anyIndentationAndBothYamlFormsOfTheEngine() throws Exception {
    String fourSpaces = """
        environments:
            # a comment at the names' level is not a name
            cluster:
                engine: {type: spark, master: "local[1]"}
                offline-store: {type: iceberg}
            laptop:
                offline-store: {type: duckdb, path: x.duckdb}
        feature-sets: {}
        """;
    assertThat(spark(fourSpaces, "cluster")).isTrue();
    assertThat(spark(fourSpaces, "laptop")).isFalse();

    String block = """
        feature-sets: {}
        environments:
         "cluster":
            engine:
                master: yarn
                type: 'spark'   # quoted, with a comment
            offline-store:
                type: iceberg
         plain:
            engine:
                type: in-process
            offline-store:
                type: spark-lookalike
        """;
    assertThat(spark(block, "cluster")).isTrue();
    assertThat(spark(block, "plain")).as("another engine type").isFalse();
  }

  @Test
  void aSparkTypeOutsideTheEngineIsNotTheEngine() throws Exception {
    String yaml = """
        environments:
          odd:
            engine:
              type: in-process
            online-store:
              type: spark
            offline-store: {type: spark}
        """;
    assertThat(spark(yaml, "odd")).isFalse();
    assertThat(spark("feature-sets:\n  spark:\n    engine: {type: spark}\n", "spark")).as("not under environments").isFalse();
  }
}
