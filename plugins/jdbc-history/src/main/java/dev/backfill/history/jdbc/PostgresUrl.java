package dev.backfill.history.jdbc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:postgresql:} url and the host and database it names, which every message about
 * the history's database gives (never the password).
 */
record PostgresUrl(String url, String host, String database) {
  private static final Pattern FORM = Pattern.compile("jdbc:postgresql://([^/?]*)/([^?]+)(\\?.*)?");

  /** @throws IllegalArgumentException for a url of another form, showing the form */
  static PostgresUrl parse(String url) {
    Matcher m = FORM.matcher(url);
    if (!m.matches() || m.group(1).isEmpty()) {
      throw new IllegalArgumentException("option 'url' '" + url + "' is not a PostgreSQL url; give "
          + "jdbc:postgresql://HOST[:PORT]/DATABASE, for example jdbc:postgresql://127.0.0.1:5432/features");
    }
    return new PostgresUrl(url, m.group(1), m.group(2));
  }

  /** {@code PostgreSQL at 127.0.0.1:5432, database 'features'}. */
  String describe() {
    return "PostgreSQL at " + host + ", database '" + database + "'";
  }
}
