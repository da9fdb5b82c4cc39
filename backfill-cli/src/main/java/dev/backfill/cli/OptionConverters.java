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
  static final class Time implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String text) {
      try {
        return BackfillTimes.parse(text);
      } catch (InvalidBackfillRequestException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** SMALL, MEDIUM, LARGE or XLARGE, in any case. */
  static final class Template implements ITypeConverter<ClusterTemplate> {
    @Override
    public ClusterTemplate convert(String text) {
      try {
        return ClusterTemplate.parse(text);
      } catch (InvalidBackfillRequestException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
