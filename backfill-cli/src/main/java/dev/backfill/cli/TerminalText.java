package dev.backfill.cli;

import java.util.Locale;

/**
 * Text from outside (comments, failure messages quoting source values, names from the
 * configuration) made safe to print on a terminal: a line break would break a table's row, and an
 * escape sequence (ESC, CSI) could move the cursor, recolour or retitle the terminal, or hide
 * text. Control characters and the invisible reordering marks become visible escapes ({@code \n},
 * {@code \t}, {@code \x1b}, {@code \u202e}); everything else is kept.
 */
final class TerminalText {
  static final String ELLIPSIS = "...";

  private TerminalText() {}

  /** The text with every control character and bidirectional formatting mark escaped. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder escaped = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = replacement(c);
      if (replacement != null && escaped == null) {
        escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (escaped != null) {
        escaped.append(replacement != null ? replacement : String.valueOf(c));
      }
    }
    return escaped == null ? text : escaped.toString();
  }

  /** {@link #escape}d and cut to at most {@code max} characters, the cut marked by {@value #ELLIPSIS}. */
  static String cut(String text, int max) {
    String escaped = escape(text);
    if (escaped.length() <= max) {
      return escaped;
    }
    int end = max - ELLIPSIS.length();
    // never split a surrogate pair, which would print as a replacement character
    if (end > 0 && Character.isHighSurrogate(escaped.charAt(end - 1))) {
      end--;
    }
    return escaped.substring(0, Math.max(0, end)) + ELLIPSIS;
  }

  private static String replacement(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return String.format(Locale.ROOT, "\\x%02x", (int) c);
    }
    if (isReordering(c)) {
      return String.format(Locale.ROOT, "\\u%04x", (int) c);
    }
    return null;
  }

  /** The bidirectional embedding, override and isolate marks, which reorder what follows them. */
  private static boolean isReordering(char c) {
    return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f'
        || c == '\u061c';
  }
}
