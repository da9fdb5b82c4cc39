package dev.backfill.testkit;

import static dev.backfill.testkit.EngineFixture.NAME;
import static dev.backfill.testkit.EngineFixture.day;
import static dev.backfill.testkit.EngineFixture.hourly;
import static dev.backfill.testkit.EngineFixture.trips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.testkit.EngineFixture.MovingClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BackfillRequest#submit(BackfillPlan)}: a reviewed plan runs as it was reviewed (issue 17 point 11). */
class ReviewedPlanTest {
  private final MovingClock clock = new MovingClock(day(10));
  private final DataSource source = hourly();
  private BackfillClient client;

  @BeforeEach
  void register() {
    client = EngineFixture.client(clock);
    client.register(trips().toBuilder().source(source).build());
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void aPlanMadeAtDayTenRunsAsDayTenAfterTheClockMoved() {
    BackfillRequest request = client.backfill(NAME).startTime(day(9));
    BackfillPlan reviewed = request.plan();
    clock.advance(Duration.ofHours(1));

    BackfillJob job = request.submit(reviewed);
    BackfillResult result = job.await();

    assertThat(reviewed.range()).isEqualTo(TimeRange.of(day(9), day(10)));
    assertThat(job.plan()).isEqualTo(reviewed);
    assertThat(result.range()).isEqualTo(TimeRange.of(day(9), day(10)));
    assertThat(result.rowsWritten()).isEqualTo(24);
    assertThat(request.submit().plan().range()).as("submit() resolves again: the default stop moved")
        .isEqualTo(TimeRange.of(day(9), day(10).plus(Duration.ofHours(1))));
  }

  @Test
  void aClampedStopRunsAsItWasClampedAndRunRunsThePlanToo() {
    BackfillRequest request = client.backfill(NAME).between(day(9), day(30)).clusterTemplate(ClusterTemplate.LARGE);
    BackfillPlan reviewed = request.plan();
    clock.advance(Duration.ofDays(1));

    BackfillResult result = request.run(reviewed);

    assertThat(reviewed.stopClamped()).isTrue();
    assertThat(result.range()).isEqualTo(TimeRange.of(day(9), day(10)));
    assertThat(request.plan().range().stop()).isEqualTo(day(11));
  }

  @Test
  void aPlanOfAnotherRequestOrOfAChangedRequestIsRefused() {
    BackfillRequest request = client.backfill(NAME).startTime(day(9));
    BackfillPlan reviewed = request.plan();
    BackfillRequest other = client.backfill(NAME).startTime(day(9));

    assertThatThrownBy(() -> other.submit(reviewed)).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'trips'").hasMessageContaining("was not made by this request's plan()");
    request.clusterTemplate(ClusterTemplate.XLARGE);
    assertThatThrownBy(() -> request.submit(reviewed)).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("the request changed since the plan").hasMessageContaining("template XLARGE")
        .hasMessageContaining("plan it again");
    assertThat(client.jobs(NAME)).isEmpty();
  }

  @Test
  void aFeatureSetRegisteredAgainWithAnotherDefinitionOrDroppedSinceIsRefused() {
    BackfillRequest request = client.backfill(NAME).startTime(day(9));
    BackfillPlan reviewed = request.plan();
    client.register(trips().toBuilder().source(source).build());
    assertThat(request.submit(reviewed).await().range()).as("the same definition again changes nothing")
        .isEqualTo(reviewed.range());

    BackfillPlan second = request.plan();
    client.register(trips().toBuilder().source(hourly()).build());
    assertThatThrownBy(() -> request.submit(second)).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'trips' was registered again with another definition since this backfill was planned");

    BackfillRequest third = client.backfill(NAME).startTime(day(9));
    BackfillPlan planned = third.plan();
    client.dropFeatureSet(NAME);
    assertThatThrownBy(() -> third.submit(planned)).isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("dropped");
    assertThat(client.jobs(NAME)).isEmpty();
  }

  @Test
  void theDeletionConfirmationIsTheRequestsCurrentOne() {
    BackfillRequest request = client.backfill(NAME).between(day(3), day(4)).source(InMemoryDataSource.of(
        EngineFixture.schema(), "ts", List.of()));
    client.backfill(NAME).between(day(0), day(5)).run();
    BackfillPlan reviewed = request.plan();
    AtomicInteger asked = new AtomicInteger();
    request.confirmDeletion((job, deleted) -> asked.incrementAndGet() > 0);

    BackfillResult result = request.run(reviewed);

    assertThat(asked).hasValue(1);
    assertThat(result.offlineRowsDeleted()).isEqualTo(24);
  }
}
