package dev.backfill.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code job-history:} as a path (type file) or as a plugin mapping (type jdbc, or file with a path). */
class JobHistoryConfigTest {
  @TempDir Path folder;

  private EnvironmentConfig environment(String history) throws IOException {
    Path file = folder.resolve("backfill.yaml");
    Files.writeString(file, "environments:\n  e:\n    offline-store: {type: memory}\n    online-store: {type: memory}\n"
        + "    job-history: " + history + "\n");
    return BackfillConfig.load(file).environment("e");
  }

  @Test
  void aPathIsAFileHistoryResolvedAgainstTheFilesFolder() throws IOException {
    EnvironmentConfig env = environment("data/jobs");
    assertThat(env.jobHistory().type()).isEqualTo("file");
    assertThat(env.historyDirectory()).contains(folder.resolve("data/jobs"));
  }

  @Test
  void aMappingNamesTheTypeAndItsOptions() throws IOException {
    EnvironmentConfig jdbc = environment("{type: jdbc, url: \"jdbc:postgresql://db:5432/features\", lease: PT30S}");
    assertThat(jdbc.jobHistory().type()).isEqualTo("jdbc");
    assertThat(jdbc.jobHistory().options())
        .isEqualTo(Map.of("url", "jdbc:postgresql://db:5432/features", "lease", "PT30S"));
    assertThat(jdbc.historyDirectory()).as("a shared history has no directory, and no environment lock").isEmpty();

    EnvironmentConfig file = environment("{type: file, path: jobs}");
    assertThat(file.historyDirectory()).contains(folder.resolve("jobs"));
  }

  @Test
  void aMappingWithoutTypeOrAFileWithoutPathIsAnErrorAtItsLine() {
    assertThatThrownBy(() -> environment("{url: \"jdbc:postgresql://db/x\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backfill.yaml:5: environments.e.job-history: the key 'type' is missing; name a job "
            + "history's plugin, such as {type: jdbc, url: \"jdbc:postgresql://db:5432/features\"} or a directory path")
        .hasMessageContaining("jdbc");
    assertThatThrownBy(() -> environment("{type: file}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backfill.yaml:5: environments.e.job-history: a job history of type file needs its "
            + "'path'");
  }
}
