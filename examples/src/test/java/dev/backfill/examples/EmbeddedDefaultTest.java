package dev.backfill.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDefaultTest {
  @TempDir Path data;

  @Test
  void theExampleRepairsTheFaultyWeekOnDurableStoresAndCanRunAgain() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    double repairedWeek = EmbeddedDefault.run(data, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String output = buffer.toString(StandardCharsets.UTF_8);

    // Delays of the faulty week were in seconds (about 60 times too large); now they are minutes.
    assertThat(repairedWeek).isBetween(0.0, 20.0);
    assertThat(output).contains("0 offline rows deleted").contains("12 online keys written").contains("SUCCEEDED");
    assertThat(data.resolve("flights.parquet")).exists();
    assertThat(data.resolve("offline.duckdb")).exists();
    assertThat(data.resolve("online")).isDirectory();

    // A second run reopens the same files: the reset replaces the feed's rows, then the repair runs again.
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertThat(EmbeddedDefault.run(data, new PrintStream(again, true, StandardCharsets.UTF_8))).isEqualTo(repairedWeek);
    assertThat(again.toString(StandardCharsets.UTF_8)).contains("43,867 offline rows deleted");
  }
}
