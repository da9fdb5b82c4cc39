package dev.backfill.testkit;

import static dev.backfill.testkit.EngineFixture.NAME;
import static dev.backfill.testkit.EngineFixture.day;
import static dev.backfill.testkit.EngineFixture.hourly;
import static dev.backfill.testkit.EngineFixture.schema;
import static dev.backfill.testkit.EngineFixture.trip;
import static dev.backfill.testkit.EngineFixture.trips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backfill.api.BackfillClient;
import dev.backfill.api.BackfillException;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.ClientClosedException;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.EntityKey;
import dev.backfill.api.FieldType;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidRowException;
import dev.backfill.api.InvalidValueException;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.api.StoreException;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.DataSource;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.Transform;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 17 points 7, 8 and 12: {@code catch (BackfillException e)} catches every failure a user
 * of the library meets, and each message names the feature set, the job and the part at fault.
 */
class EveryFailureIsABackfillExceptionTest {
  private static final Clock CLOCK = Clock.fixed(day(12), ZoneOffset.UTC);

  private BackfillClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private BackfillClient client() {
    client = EngineFixture.client(CLOCK);
    client.register(trips().toBuilder().source(hourly()).build());
    return client;
  }

  /** What the call threw, asserted to be a BackfillException: what a {@code catch (BackfillException e)} gets. */
  private static BackfillException caught(Executable call) {
    Throwable thrown = catchThrowable(call::execute);
    assertThat(thrown).as("what the call threw").isInstanceOf(BackfillException.class);
    return (BackfillException) thrown;
  }

  private BackfillException runWith(DataSource source, Transform transform) {
    return caught(() -> client().backfill(NAME).between(day(1), day(3)).source(source).transform(transform).run());
  }

  /** A source of the feature set's schema whose read is {@code read}, named {@code name}. */
  private static DataSource source(String name, Function<TimeRange, Stream<Row>> read) {
    return new DataSource() {
      @Override
      public Schema schema() {
        return EngineFixture.schema();
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        return read.apply(range);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  @Test
  void aFailingSourceNamesTheFeatureSetTheJobTheSourceAndTheSliceAndKeepsTheOriginalAsTheCause() {
    IllegalStateException refused = new IllegalStateException("connection refused");
    BackfillException e = runWith(source("orders-db", range -> {
      throw refused;
    }), Transform.identity());

    assertThat(e).isInstanceOf(BackfillFailedException.class).hasCause(refused)
        .hasMessageContaining("backfill job bf-").hasMessageContaining("feature set 'trips'")
        // Any slice of the range may fail first: they are read by two workers at once.
        .hasMessageFindingMatch("the source orders-db failed reading \\[2024-01-0[23]T\\d\\d:00:00Z, ")
        .hasMessageFindingMatch("for slice \\[2024-01-0[23]T\\d\\d:00:00Z, ").hasMessageContaining("connection refused")
        .hasMessageContaining("nothing was changed");
    BackfillException midway = runWith(source("orders-db", range -> Stream.of(1, 2).map(i -> {
      throw refused;
    })), Transform.identity());
    assertThat(midway).hasCause(refused).hasMessageContaining("the source orders-db failed reading");
  }

  @Test
  void aSourceThatReturnsNullOrANullRowSaysSoInsteadOfAStreamNullPointer() {
    assertThat(runWith(source("nulls", range -> null), Transform.identity()))
        .hasMessageContaining("the source nulls failed reading").hasMessageContaining("returned null from read(")
        .hasMessageContaining("return an empty stream");
    assertThat(runWith(source("holes", range -> Stream.of((Row) null)), Transform.identity()))
        .hasMessageContaining("the source holes failed reading").hasMessageContaining("returned a null row");
  }

  @Test
  void aFailingTransformIsNamedAsTheTransformNotAsTheSource() {
    IllegalArgumentException bug = new IllegalArgumentException("division by zero");
    Transform failing = Transform.map(schema(), row -> {
      throw bug;
    });
    assertThat(runWith(hourly(), failing)).hasCause(bug)
        .hasMessageContaining("the transform Transform.map to " + schema() + " failed on slice")
        .hasMessageContaining("division by zero").message().doesNotContain("the source");

    Transform wrongGetter = Transform.map(schema(), row -> trip(row.getString("driver"), row.getInstant("ts"),
        row.getLong("driver").longValue()));
    BackfillException e = runWith(hourly(), wrongGetter);
    assertThat(e.getCause()).isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("getLong('driver'): column 'driver' is STRING");
    assertThat(e).hasMessageContaining("the transform Transform.map");
  }

  @Test
  void aSourceSchemaThatCannotFeedTheFeatureSetBlamesTheSourceAndANullSchemaIsNamedAsSuch() {
    DataSource narrow = InMemoryDataSource.of(Schema.of(schema().fields().subList(0, 2)), "ts", List.of());
    assertThat(caught(() -> client().backfill(NAME).source(narrow).plan()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("the source memory(0 rows) (with the identity transform) has the output schema")
        .hasMessageContaining("column 'rides' (LONG) is missing").message().doesNotContain("the transform's");

    DataSource nullSchema = new DataSource() {
      @Override
      public Schema schema() {
        return null;
      }

      @Override
      public Stream<Row> read(TimeRange range) {
        return Stream.empty();
      }
    };
    assertThat(caught(() -> client.backfill(NAME).source(nullSchema).plan()))
        .hasMessageContaining("the source a DataSource (" + nullSchema.getClass().getName() + ")")
        .hasMessageContaining("returned null from schema()").message().doesNotContain("outputSchema");
    Transform nullOutput = new Transform() {
      @Override
      public Schema outputSchema(Schema input) {
        return null;
      }

      @Override
      public Stream<Row> apply(Stream<Row> input) {
        return input;
      }
    };
    assertThat(caught(() -> client.backfill(NAME).transform(nullOutput).plan()))
        .hasMessageContaining("the transform a Transform (" + nullOutput.getClass().getName() + ")")
        .hasMessageContaining("returned null from outputSchema(");
  }

  @Test
  void badRowsStoreFailuresAClosedClientAndBadValuesAreAllBackfillExceptions() {
    BackfillClient working = client();
    assertThat(caught(() -> working.ingest(NAME, List.of(Row.of(schema(), null, day(1), 1L)))))
        .isInstanceOf(InvalidRowException.class);
    assertThat(caught(() -> Row.of(schema(), "a", day(1), "many"))).isInstanceOf(InvalidValueException.class);
    assertThat(caught(() -> ClusterTemplate.parse(null))).isInstanceOf(InvalidBackfillRequestException.class);
    assertThat(caught(() -> FieldType.parse(null))).hasMessageStartingWith("missing field type");
    assertThat(caught(() -> EntityKey.of())).isInstanceOf(InvalidValueException.class);

    // A store whose own calls fail with exceptions that are not BackfillExceptions.
    IllegalStateException broken = new IllegalStateException("connection reset");
    InMemoryOfflineStore offline = InMemoryOfflineStore.create();
    InMemoryOnlineStore online = InMemoryOnlineStore.create();
    try (BackfillClient failing = BackfillClient.builder().clock(CLOCK)
        .offlineStore(new ForwardingOfflineStore(offline) {
          @Override
          public void append(String table, List<Row> rows) {
            throw broken;
          }

          @Override
          public OfflineReplacement beginReplace(String table, Optional<TimeRange> range, String commitId) {
            throw broken;
          }

          @Override
          public Stream<Row> scan(String table, TimeRange range) {
            return Stream.of(1).map(i -> {
              throw broken;
            });
          }

          @Override
          public String toString() {
            return "flaky offline store";
          }
        })
        .onlineStore(new ForwardingOnlineStore(online) {
          @Override
          public Optional<Row> get(String table, EntityKey key) {
            throw broken;
          }

          @Override
          public long write(String table, List<OnlineWrite> writes) {
            throw broken;
          }
        }).build()) {
      failing.register(trips().toBuilder().source(hourly()).build());
      assertThat(caught(() -> failing.ingest(NAME, List.of(trip("a", day(1), 1L))))).isInstanceOf(StoreException.class)
          .hasCause(broken).hasMessage("flaky offline store: appending 1 rows to 'trips' failed: " + broken);
      assertThat(caught(() -> failing.readOnline(NAME, EntityKey.of("a")))).isInstanceOf(StoreException.class)
          .hasCause(broken).hasMessageContaining("reading key a of 'trips'");
      assertThat(caught(() -> {
        try (Stream<Row> rows = failing.readOffline(NAME, TimeRange.all())) {
          rows.count();
        }
      })).isInstanceOf(StoreException.class).hasCause(broken).hasMessageContaining("flaky offline store: scan of 'trips'");
      assertThat(caught(() -> failing.backfill(NAME).between(day(1), day(2)).run()))
          .isInstanceOf(BackfillFailedException.class).hasCause(broken).hasMessageContaining("feature set 'trips'");
    }

    working.close();
    for (Executable afterClose : List.<Executable>of(() -> working.backfill(NAME), () -> working.register(trips()),
        () -> working.ingest(NAME, List.of()), () -> working.readOnline(NAME, EntityKey.of("a")),
        () -> working.readOffline(NAME, TimeRange.all()), () -> working.jobs(NAME), () -> working.job("bf-x"),
        () -> working.featureSet(NAME), working::featureSets, () -> working.repairOnline(NAME))) {
      assertThat(caught(afterClose)).isInstanceOf(ClientClosedException.class).hasMessageContaining("closed");
    }
    working.close();
  }

  @Test
  void awaitThrowsANewExceptionOnTheCallersThreadWithTheWorkersFailureAsItsCause() {
    String here = "awaitThrowsANewExceptionOnTheCallersThreadWithTheWorkersFailureAsItsCause";
    BackfillJob job = client().backfill(NAME).between(day(1), day(2)).source(source("s", range -> {
      throw new IllegalStateException("refused on a worker");
    })).submit();

    BackfillException first = caught(job::await);
    BackfillException second = caught(job::await);

    assertThat(first).isNotSameAs(second).hasMessage(second.getMessage()).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(first.getCause()).isSameAs(second.getCause()).hasMessage("refused on a worker");
    assertThat(first.getStackTrace()).as("the caller's thread")
        .anySatisfy(frame -> assertThat(frame.getMethodName()).isEqualTo(here));
    assertThat(first.getCause().getStackTrace()).as("the worker's thread")
        .noneSatisfy(frame -> assertThat(frame.getMethodName()).isEqualTo(here));
  }

  @Test
  void logLinesAndMessagesNameTheRequestAndTheTransformsReadably() {
    String request = client().backfill(NAME).reset().between(day(1), day(2)).transform(Transform.filter(r -> true))
        .clusterTemplate(ClusterTemplate.LARGE).comment("fix").toString();

    assertThat(request).isEqualTo("BackfillRequest[trips: reset, start 2024-01-02T00:00:00Z, stop 2024-01-03T00:00:00Z, "
        + "source (the feature set's), transform Transform.filter, template LARGE, comment 'fix']");
    assertThat(client.backfill(NAME).toString()).isEqualTo("BackfillRequest[trips: start (the backfill start), "
        + "stop (now), source (the feature set's), transform (the feature set's), template (the feature set's)]");
  }

  @Test
  void lookupsAnswerEmptyForAnUnknownNameAndOperationsRefuseIt() {
    // Issue 17 point 12: the rule is lookups (featureSet, job, jobs) answer empty, operations throw.
    BackfillClient c = client();
    assertThat(c.jobs("unregistered")).isEmpty();
    assertThat(c.featureSet("unregistered")).isEmpty();
    assertThat(c.job("bf-unknown")).isEmpty();
    for (Executable operation : List.<Executable>of(() -> c.backfill("unregistered"),
        () -> c.ingest("unregistered", List.of()), () -> c.readOnline("unregistered", EntityKey.of("a")),
        () -> c.readOffline("unregistered", TimeRange.all()), () -> c.repairOnline("unregistered"))) {
      assertThat(caught(operation)).isInstanceOf(dev.backfill.api.FeatureSetNotFoundException.class)
          .hasMessageContaining("'unregistered'").hasMessageContaining("trips");
    }
    c.backfill(NAME).between(day(1), day(2)).run();
    assertThat(c.jobs(NAME)).hasSize(1);
  }

  @Test
  void aCloseTimeoutOfCenturiesIsAWaitWithoutEndNotAnArithmeticOverflow() {
    // Issue 17 point 7: close() threw ArithmeticException for a timeout beyond 292 years.
    BackfillClient patient = BackfillClient.builder().offlineStore(InMemoryOfflineStore.create())
        .onlineStore(InMemoryOnlineStore.create()).closeTimeout(java.time.Duration.ofSeconds(Long.MAX_VALUE)).build();
    patient.register(trips().toBuilder().source(hourly()).build());
    patient.backfill(NAME).between(day(1), day(2)).run();

    org.assertj.core.api.Assertions.assertThatCode(patient::close).doesNotThrowAnyException();
  }
}
