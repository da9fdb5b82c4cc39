package dev.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.cli.CliHarness.Run;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text a user or a source supplies (a job's comment, a failure quoting a value) reaches the
 * terminal escaped: no line break breaks a table row and no escape sequence reaches the
 * terminal; a long comment is cut in tables and shown whole by backfill-status.
 */
class UntrustedTextTest {
  private static final String ESC = "\u001b";
  private static final Pattern JOB_ID = Pattern.compile("bf-\\d{8}-\\d{6}-[0-9a-f]{8}");

  @TempDir Path folder;
  private CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(folder);
  }

  @Test
  void commentsWithLineBreaksAndEscapeSequencesAreEscapedEverywhere() {
    String hostile = "line one\nline two\r\t" + ESC + "[2J" + ESC + "[31mred" + ESC + "]0;title\u0007 \u202eevil";
    Run dryRun = cli.run("features", "backfill", "--dry-run", "--environment", "local", "--feature-set", "driver_trips",
        "--stop-time", "2024-01-03", "--comment", hostile);
    Run run = cli.run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips",
        "--stop-time", "2024-01-03", "--comment", hostile);
    assertThat(run.exitCode()).as(run.err()).isZero();
    String id = jobId(run.err());
    Run listing = cli.run("features", "list-backfills", "--environment", "local");
    Run status = cli.run("features", "backfill-status", "--environment", "local", "--job", id);

    String escaped = "line one\\nline two\\r\\t\\x1b[2J\\x1b[31mred\\x1b]0;title\\x07 \\u202eevil";
    for (Run shown : List.of(dryRun, listing, status)) {
      assertThat(shown.exitCode()).isZero();
      assertThat(shown.out()).doesNotContain(ESC).doesNotContain("\r").doesNotContain("\u0007").doesNotContain("\u202e");
    }
    assertThat(dryRun.out()).contains("  comment               " + escaped + "\n");
    assertThat(listing.out().lines()).hasSize(2);
    assertThat(listing.out().lines().toList().get(1)).endsWith(escaped.substring(0, Reports.COMMENT_WIDTH - 3) + "...");
    assertThat(status.out().lines()).anySatisfy(line -> assertThat(line).isEqualTo("  comment               " + escaped));
  }

  @Test
  void aLongCommentIsCutInTheListingAndShownWholeByTheStatus() {
    String comment = "x".repeat(9_990) + "0123456789";
    Run run = cli.run("features", "backfill", "--environment", "local", "--feature-set", "driver_trips",
        "--stop-time", "2024-01-03", "--comment", comment);
    assertThat(run.exitCode()).as(run.err()).isZero();

    Run listing = cli.run("features", "list-backfills", "--environment", "local");
    String row = listing.out().lines().toList().get(1);
    assertThat(row).endsWith("  " + "x".repeat(Reports.COMMENT_WIDTH - 3) + "...");
    assertThat(row.length()).isLessThan(250);

    Run status = cli.run("features", "backfill-status", "--environment", "local", "--job", jobId(run.err()));
    assertThat(status.out()).contains("  comment               " + comment + "\n");
  }

  @Test
  void aFailureQuotingASourceValueIsEscaped() throws Exception {
    java.nio.file.Files.writeString(folder.resolve("odd.csv"), "driver,day,trips\nann,2024-01-01,3\nbob,2024-01-02,\""
        + ESC + "[31m\"\n");
    java.nio.file.Files.writeString(folder.resolve("odd.yaml"), CliHarness.CONFIG + """
          odd_trips:
            keys: {driver: string}
            event-time: day
            features: {trips: long}
            source: {type: csv, path: odd.csv, time-column: day}
            transform: {type: sql, query: "SELECT driver, day, CAST(trips AS BIGINT) AS trips FROM source"}
            backfill-start: 2024-01-01
        """);
    Run run = cli.run("--config", "odd.yaml", "features", "backfill", "--environment", "local", "--feature-set",
        "odd_trips", "--stop-time", "2024-02-01");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).containsPattern("error: backfill job bf-\\S+ of odd_trips failed: .*'\\\\x1b\\[31m'")
        .doesNotContain(ESC);
  }

  @Test
  void escapingKeepsPrintableTextAndMarksEveryControlCharacter() {
    assertThat(TerminalText.escape("plain: é ü 日本 \uD83D\uDE00 \\ quotes \"'")).isEqualTo("plain: é ü 日本 \uD83D\uDE00 \\ quotes \"'");
    assertThat(TerminalText.escape("a\u0000b\u007fc\u009bd\u2066e\u200ff")).isEqualTo("a\\x00b\\x7fc\\x9bd\\u2066e\\u200ff");
    assertThat(TerminalText.cut("abcdef", 6)).isEqualTo("abcdef");
    assertThat(TerminalText.cut("abcdefg", 6)).isEqualTo("abc...");
    assertThat(TerminalText.cut("ab\ncdefg", 6)).isEqualTo("ab\\...");
    assertThat(TerminalText.cut("ab\uD83D\uDE00cdefg", 6)).isEqualTo("ab...");
  }

  private static String jobId(String text) {
    Matcher matcher = JOB_ID.matcher(text);
    assertThat(matcher.find()).as(text).isTrue();
    return matcher.group();
  }
}
