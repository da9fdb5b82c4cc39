package dev.backfill.api;

/** How error messages show values: quoted strings with what a terminal or log would hide escaped. */
final class Values {
  private Values() {}

  /** {@code 'text' (String)}, {@code 7 (Long)}, {@code null}: a value and its Java type, escaped. */
  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    String text = value instanceof String s ? "'" + escape(s) + "'" : escape(String.valueOf(value));
    return text + " (" + value.getClass().getSimpleName() + ")";
  }

  /**
   * The text with control characters and lone UTF-16 surrogates written as <code>&#92;uXXXX</code>, so
   * that a message shows exactly what the value holds (a lone surrogate prints as '?', a newline
   * would break the line).
   */
  static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        if (out != null) {
          out.append(c).append(text.charAt(i + 1));
        }
        i++;
        continue;
      }
      boolean hidden = Character.isISOControl(c) || Character.isSurrogate(c);
      if (hidden && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (hidden) {
        out.append(String.format("\\u%04X", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }
}
