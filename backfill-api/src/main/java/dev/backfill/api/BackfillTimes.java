package dev.backfill.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/** Parses the three text forms of a time that Backfill accepts, all read as UTC. */
public final class BackfillTimes {
  /** The accepted forms, as shown in error messages. */
  public static final String ACCEPTED_FORMS =
      "yyyy-MM-dd, yyyy-MM-dd'T'HH:mm:ss or yyyy-MM-dd HH:mm:ss (UTC)";

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DATE_T_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DATE_SPACE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
      .withResolverStyle(ResolverStyle.STRICT);

  private BackfillTimes() {}

  /**
   * Parses {@code yyyy-MM-dd}, {@code yyyy-MM-dd'T'HH:mm:ss} or {@code yyyy-MM-dd HH:mm:ss} as a
   * UTC instant.
   *
   * @throws InvalidBackfillRequestException naming the text and the accepted forms
   */
  public static Instant parse(String text) {
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
