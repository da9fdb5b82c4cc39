package dev.backfill.history.jdbc;

import dev.backfill.spi.JobHistory;
import dev.backfill.spi.Plugins;
import dev.backfill.testkit.SharedJobHistoryContractTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The testkit's contract of a shared job history, on the {@code jdbc} history in a schema of its own. */
class JdbcSharedJobHistoryContractTest extends SharedJobHistoryContractTest {
  private static PostgresSchema schema;

  @BeforeAll
  static void createSchema() {
    schema = new PostgresSchema("h14_contract");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    schema.close();
  }

  @Override
  protected JobHistory openHistory() {
    return Plugins.jobHistory("jdbc", schema.options("PT1S"));
  }

  @Override
  protected Duration lease() {
    return Duration.ofSeconds(1);
  }
}
