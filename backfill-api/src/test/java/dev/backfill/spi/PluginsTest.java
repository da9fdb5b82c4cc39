package dev.backfill.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.InvalidBackfillRequestException;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The api test class path registers only the providers below (see src/test/resources), so the
 * lookups of the other kinds find none at all.
 */
public class PluginsTest {

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of("data source", (BiFunction<String, Map<String, String>, ?>) Plugins::dataSource),
        Arguments.of("transform", (BiFunction<String, Map<String, String>, ?>) Plugins::transform),
        Arguments.of("offline store", (BiFunction<String, Map<String, String>, ?>) Plugins::offlineStore),
        Arguments.of("online store", (BiFunction<String, Map<String, String>, ?>) Plugins::onlineStore));
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void unknownTypeNamesTheTypeAndTheKind(String kind, BiFunction<String, Map<String, String>, ?> lookup) {
    assertThatThrownBy(() -> lookup.apply("no-such-type", Map.of()))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("'no-such-type'")
        .hasMessageContaining(kind)
        .hasMessageContaining("known types");
  }

  @Test
  void unknownTypeListsTheKnownOnes() {
    assertThatThrownBy(() -> Plugins.transform("no-such-type", Map.of()))
        .hasMessageContaining("known types: test-lookback");
    assertThatThrownBy(() -> Plugins.offlineStore("memory", Map.of()))
        .hasMessageContaining("(none:");
  }

  @Test
  void knownTypeIsCreatedWithItsOptions() {
    Transform transform = Plugins.transform("test-lookback", Map.of("lookback", "PT2H"));

    assertThat(transform.lookback()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void aProviderRejectingItsOptionsBecomesAnInvalidRequestNamingTheType() {
    assertThatThrownBy(() -> Plugins.transform("test-lookback", Map.of("lookbak", "PT2H")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageContaining("transform 'test-lookback'")
        .hasMessageContaining("'lookbak'")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoProvidersOfOneTypeAreAnErrorNotASilentPick() {
    assertThatThrownBy(() -> Plugins.providers(ProbeProvider.class, ProbeProvider::type))
        .isInstanceOf(dev.backfill.api.BackfillException.class)
        .hasMessageContaining("'same'")
        .hasMessageContaining(FirstProbe.class.getName())
        .hasMessageContaining(SecondProbe.class.getName());
  }

  /** A transform provider whose only option is an ISO-8601 lookback, to observe that options arrive. */
  public static final class LookbackTransformProvider implements TransformProvider {
    @Override
    public String type() {
      return "test-lookback";
    }

    @Override
    public Transform create(Map<String, String> options) {
      for (String key : options.keySet()) {
        if (!key.equals("lookback")) {
          throw new IllegalArgumentException("unknown option '" + key + "'; valid options: lookback");
        }
      }
      Duration lookback = Duration.parse(options.getOrDefault("lookback", "PT0S"));
      Transform identity = Transform.identity();
      return new Transform() {
        @Override
        public dev.backfill.api.Schema outputSchema(dev.backfill.api.Schema input) {
          return identity.outputSchema(input);
        }

        @Override
        public Duration lookback() {
          return lookback;
        }

        @Override
        public Stream<dev.backfill.api.Row> apply(Stream<dev.backfill.api.Row> input) {
          return identity.apply(input);
        }
      };
    }
  }

  /** A provider interface of this test only, with two registered implementations of one type. */
  public interface ProbeProvider {
    String type();
  }

  public static final class FirstProbe implements ProbeProvider {
    @Override
    public String type() {
      return "same";
    }
  }

  public static final class SecondProbe implements ProbeProvider {
    @Override
    public String type() {
      return "same";
    }
  }
}
