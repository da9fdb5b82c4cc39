package dev.backfill.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/**
 * The times Backfill accepts: the three text forms it parses (all UTC), the one range of
 * instants the whole library supports, and the resolution every bound is rounded to.
 *
 * <p><b>Supported range.</b> Every time Backfill handles lies in
 * [{@link #SUPPORTED_START}, {@link #SUPPORTED_STOP}): from {@code 0001-01-01T00:00:00Z}
 * inclusive to {@code 10000-01-01T00:00:00Z} exclusive, so the last supported instant is
 * {@code 9999-12-31T23:59:59.999999Z} and the common {@code 9999-12-31} sentinel fits. The range
 * fits every store's encoding (DuckDB's and Spark's microsecond timestamps, Iceberg's, a signed
 * 64-bit count of microseconds since 1970) with room to spare, so every store keeps every
 * supported time exactly. Backfill refuses, with an error naming the value and this range, a
 * request start or stop, a feature set's backfill start, a row timestamp (of any TIMESTAMP
 * column, ingested or computed) or a {@code readOffline} range outside it.
 *
 * <p><b>Resolution.</b> Stores keep times to the microsecond, so a bound finer than that is
 * rounded up to the next whole microsecond ({@link #roundUpToMicros}): the same rows stay inside
 * {@code [start, stop)}, and every store's range condition agrees with the engine's to the last
 * row.
 */
public final class BackfillTimes {
  /** The accepted forms, as shown in error messages. */
  public static final String ACCEPTED_FORMS =
      "yyyy-MM-dd, yyyy-MM-dd'T'HH:mm:ss or yyyy-MM-dd HH:mm:ss (UTC)";

  /** The earliest supported instant, inclusive: {@code 0001-01-01T00:00:00Z}. */
  public static final Instant SUPPORTED_START = Instant.parse("0001-01-01T00:00:00Z");

  /**
   * The end of the supported range, exclusive: {@code 10000-01-01T00:00:00Z}. The last supported
   * instant is {@code 9999-12-31T23:59:59.999999Z}.
   */
  public static final Instant SUPPORTED_STOP = Instant.parse("+10000-01-01T00:00:00Z");

  /** The supported range as error messages show it. */
  public static final String SUPPORTED_RANGE = "[0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)";

  private static final int NANOS_PER_MICRO = 1_000;

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DATE_T_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DATE_SPACE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
      .withResolverStyle(ResolverStyle.STRICT);

  private BackfillTimes() {}

  /** Whether {@code SUPPORTED_START <= t < SUPPORTED_STOP}. */
  public static boolean isSupported(Instant t) {
    return !t.isBefore(SUPPORTED_START) && t.isBefore(SUPPORTED_STOP);
  }

  /**
   * Whether a range lies inside the supported range ({@code stop} may equal
   * {@link #SUPPORTED_STOP}).
   */
  public static boolean isSupported(TimeRange range) {
    return !range.start().isBefore(SUPPORTED_START) && !range.stop().isAfter(SUPPORTED_STOP);
  }

  /**
   * The instant itself when it is a whole microsecond, else the next whole microsecond: how every
   * time bound is resolved, so that the stores (which keep microseconds) and the engine agree on
   * which rows a range holds. For a time {@code t} kept to the microsecond, {@code t >= bound}
   * exactly when {@code t >= roundUpToMicros(bound)}, and likewise for {@code <}. An instant at
   * or after {@link #SUPPORTED_STOP} is returned unchanged (it is refused or clamped anyway, and
   * rounding {@code Instant.MAX} would overflow).
   */
  public static Instant roundUpToMicros(Instant t) {
    int belowMicro = t.getNano() % NANOS_PER_MICRO;
    return belowMicro == 0 || !t.isBefore(SUPPORTED_STOP) ? t : t.plusNanos(NANOS_PER_MICRO - belowMicro);
  }

  /**
   * Parses {@code yyyy-MM-dd}, {@code yyyy-MM-dd'T'HH:mm:ss} or {@code yyyy-MM-dd HH:mm:ss} as a
   * UTC instant.
   *
   * @throws InvalidBackfillRequestException naming the text and the accepted forms, or the text
   *     and the {@link #SUPPORTED_RANGE supported range} for year 0000
   */
  public static Instant parse(String text) {
    Instant parsed = parseForm(text);
    if (!isSupported(parsed)) {
      throw new InvalidBackfillRequestException("time '" + text + "' is outside the supported range "
          + SUPPORTED_RANGE);
    }
    return parsed;
  }

  private static Instant parseForm(String text) {
    if (text == null) {
      throw new InvalidBackfillRequestException("missing time; expected " + ACCEPTED_FORMS);
    }
    String trimmed = text.trim();
    try {
      if (trimmed.length() == 10) {
        return LocalDate.parse(trimmed, DATE).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      if (trimmed.length() == 19 && trimmed.charAt(10) == 'T') {
        return LocalDateTime.parse(trimmed, DATE_T_TIME).toInstant(ZoneOffset.UTC);
      }
      if (trimmed.length() == 19 && trimmed.charAt(10) == ' ') {
        return LocalDateTime.parse(trimmed, DATE_SPACE_TIME).toInstant(ZoneOffset.UTC);
      }
    } catch (DateTimeParseException e) {
      throw new InvalidBackfillRequestException("invalid time '" + text + "': " + e.getMessage()
          + "; expected " + ACCEPTED_FORMS, e);
    }
    throw new InvalidBackfillRequestException("invalid time '" + text + "'; expected " + ACCEPTED_FORMS);
  }
}
