package dev.backfill.spi;

import dev.backfill.api.BackfillException;
import dev.backfill.api.InvalidBackfillRequestException;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Finds plugins by type through {@link ServiceLoader}. An unknown type is an
 * {@link InvalidBackfillRequestException} that lists the known types; two providers of one
 * type on the class path are a {@link BackfillException} too, rather than a silent pick. A
 * provider that refuses its options with an {@code IllegalArgumentException} gives an
 * {@code InvalidBackfillRequestException} naming the plugin; any other failure of a provider that
 * is not a {@code BackfillException} already is wrapped in one.
 */
public final class Plugins {
  private Plugins() {}

  public static DataSource dataSource(String type, Map<String, String> options) {
    return create(DataSourceProvider.class, "data source", DataSourceProvider::type, DataSourceProvider::create, type, options);
  }

  public static Transform transform(String type, Map<String, String> options) {
    return create(TransformProvider.class, "transform", TransformProvider::type, TransformProvider::create, type, options);
  }

  public static OfflineStore offlineStore(String type, Map<String, String> options) {
    return create(OfflineStoreProvider.class, "offline store", OfflineStoreProvider::type, OfflineStoreProvider::create, type, options);
  }

  public static OnlineStore onlineStore(String type, Map<String, String> options) {
    return create(OnlineStoreProvider.class, "online store", OnlineStoreProvider::type, OnlineStoreProvider::create, type, options);
  }

  /** The runner of an engine type other than the default {@code in-process} ({@code spark}, ...). */
  public static Runner runner(String type, Map<String, String> options) {
    return create(RunnerProvider.class, "engine", RunnerProvider::type, RunnerProvider::create, type, options);
  }

  /** A job history of the type ({@code memory}, {@code file}, {@code jdbc}, ...) from its options. */
  public static JobHistory jobHistory(String type, Map<String, String> options) {
    return create(JobHistoryProvider.class, "job history", JobHistoryProvider::type, JobHistoryProvider::create, type, options);
  }

  /** A job history opened only to be read ({@link JobHistoryProvider#openForReading}). */
  public static JobHistory jobHistoryForReading(String type, Map<String, String> options) {
    return create(JobHistoryProvider.class, "job history", JobHistoryProvider::type,
        JobHistoryProvider::openForReading, type, options);
  }

  /** The known types of a provider interface, sorted, each mapped to its provider. */
  public static <P> Map<String, P> providers(Class<P> providerType, Function<P, String> typeOf) {
    Map<String, P> byType = new TreeMap<>();
    for (P provider : ServiceLoader.load(providerType, Plugins.class.getClassLoader())) {
      P previous = byType.putIfAbsent(typeOf.apply(provider), provider);
      if (previous != null) {
        throw new BackfillException("two " + providerType.getSimpleName() + "s of type '"
            + typeOf.apply(provider) + "' on the class path: " + previous.getClass().getName()
            + " and " + provider.getClass().getName() + "; remove one of them");
      }
    }
    return byType;
  }

  private static <P, T> T create(Class<P> providerType, String kind, Function<P, String> typeOf,
      BiFunction<P, Map<String, String>, T> factory, String type, Map<String, String> options) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(options, "options");
    Map<String, P> known = providers(providerType, typeOf);
    P provider = known.get(type);
    if (provider == null) {
      throw new InvalidBackfillRequestException("unknown " + kind + " type '" + type + "'; known types: "
          + (known.isEmpty() ? "(none: add a plugin jar to the class path)" : String.join(", ", known.keySet())));
    }
    try {
      return factory.apply(provider, Map.copyOf(options));
    } catch (IllegalArgumentException e) {
      throw new InvalidBackfillRequestException(kind + " '" + type + "': " + e.getMessage(), e);
    } catch (BackfillException e) {
      throw e;
    } catch (RuntimeException e) {
      // A plugin's own failure, not a bad option: still a BackfillException, naming the plugin.
      throw new BackfillException(kind + " '" + type + "' could not be created from options " + options.keySet()
          + ": " + e, e);
    }
  }
}
