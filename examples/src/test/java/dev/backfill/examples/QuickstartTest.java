package dev.backfill.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuickstartTest {
  @Test
  void theQuickstartCorrectsTheLastWeekThenResetsToTheNewFeed() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Map<String, Optional<Row>> online = Quickstart.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String output = buffer.toString(StandardCharsets.UTF_8);

    // After the reset only the two drivers of the new feed are served, in dollars.
    assertThat(online.get("ada")).hasValueSatisfying(r -> assertThat(r.getDouble("avg_fare")).isEqualTo(12.0));
    assertThat(online.get("bob")).hasValueSatisfying(r -> assertThat(r.getDouble("avg_fare")).isEqualTo(13.5));
    assertThat(online.get("cyd")).isEmpty();
    assertThat(online.get("eve")).isEmpty();
    // Step 2 replaced 7 days x 5 drivers and left the first week in cents.
    assertThat(output).contains("35 written").contains("35 offline rows deleted")
        .contains("2024-06-01 trips=4 avg_fare=1200.00");
    assertThat(output).contains("SUCCEEDED").contains("reset from the new feed");
  }
}
