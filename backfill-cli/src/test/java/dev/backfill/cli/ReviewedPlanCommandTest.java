package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person confirmed is what runs (issue 17 point 11). */
class ReviewedPlanCommandTest {
  // The note goes on to say that this is the stop the backfill uses (issue 11 point 14).
  private static final Pattern NOTE = Pattern.compile("rounded down to now, ([^,\\s]+), the stop this backfill uses");
  private static final Pattern STARTED = Pattern.compile("started: \\[\\S+, (\\S+)\\)");

  @TempDir Path folder;

  @Test
  void aConfirmedResetRunsTheRangeThatWasShownNotOneResolvedAgainAfterTheAnswer() {
    CliHarness cli = new CliHarness(folder);

    // A stop in the future is clamped to now when the plan is made; the question takes time.
    Run run = cli.command().answering("yes").run("features", "backfill", "--reset", "--environment", "local",
        "--name", "driver_trips", "--stop-time", "2999-01-01");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Matcher note = NOTE.matcher(run.err());
    Matcher started = STARTED.matcher(run.err());
    assertThat(note.find()).as(run.err()).isTrue();
    assertThat(started.find()).as(run.err()).isTrue();
    assertThat(started.group(1)).as("the job's stop is the clamped stop of the confirmed plan").isEqualTo(note.group(1));
    assertThat(run.out()).contains(note.group(1));
  }
}
