package dev.backfill.cli.config;

import dev.backfill.api.BackfillException;

/**
 * A configuration file that cannot be used: missing, not YAML, an unknown key, a bad value, or a
 * plugin that refuses its options. The message is one line that starts with the file and line
 * and names the key at fault and what would be valid.
 */
public final class ConfigException extends BackfillException {
  private static final long serialVersionUID = 1L;

  /** An error at a place in the file. */
  public ConfigException(ConfigLocation location, String message) {
    super(location + ": " + oneLine(message));
  }

  /** An error at a place in the file, caused by another exception. */
  public ConfigException(ConfigLocation location, String message, Throwable cause) {
    super(location + ": " + oneLine(message), cause);
  }

  /** An error about the file as a whole (it is missing or cannot be read). */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * The message with its line breaks turned into spaces: a plugin's message may quote a
   * multi-line value (a SQL query written as a YAML block), and an error is printed as one line.
   */
  static String oneLine(String message) {
    return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
