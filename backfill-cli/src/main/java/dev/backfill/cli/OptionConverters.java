package dev.backfill.cli;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.api.InvalidBackfillRequestException;
import java.time.Instant;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values in the forms of the library, with its messages (which name the valid forms). */
final class OptionConverters {
  private OptionConverters() {}

  /** {@code yyyy-MM-dd}, {@code yyyy-MM-dd'T'HH:mm:ss} or {@code yyyy-MM-dd HH:mm:ss}, UTC. */
  static final class Time extends LibraryParser<Instant> {
    @Override
    Instant parse(String text) {
      return BackfillTimes.parse(text);
    }
  }

  /** SMALL, MEDIUM, LARGE or XLARGE, in any case. */
  static final class Template extends LibraryParser<ClusterTemplate> {
    @Override
    ClusterTemplate parse(String text) {
      return ClusterTemplate.parse(text);
    }
  }

  /** A parser of the library whose refusal becomes picocli's, so picocli reports it as a usage error. */
  private abstract static class LibraryParser<T> implements ITypeConverter<T> {
    abstract T parse(String text);

    @Override
    public final T convert(String text) {
      try {
        return parse(text);
      } catch (InvalidBackfillRequestException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
