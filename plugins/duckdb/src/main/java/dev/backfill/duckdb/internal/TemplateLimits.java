package dev.backfill.duckdb.internal;

import dev.backfill.api.ClusterTemplate;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBConnection;
import org.slf4j.LoggerFactory;

/**
 * The memory and threads of one or more DuckDB databases while backfills run on them: the
 * settings they were opened with ({@link DuckDbResources}) outside any backfill, and
 * {@link DuckDbResources#forTemplate the share of a backfill's cluster template} while one runs,
 * for each of {@code memory-limit} and {@code threads} that its option did not set (an explicit
 * option always wins).
 *
 * <p>Backfills of different templates at once in one process share the databases, and DuckDB
 * has one setting per database, not per query: the databases then run with the share of the
 * largest template among the running backfills, and go back to the next largest when that one
 * ends, and to the settings they were opened with when the last ends. So a SMALL backfill that
 * runs beside an XLARGE one may use the XLARGE share while both run; the sum never exceeds one
 * template's share, so never the machine.
 */
public final class TemplateLimits {
  private final DuckDbResources opened;
  private final boolean memoryExplicit;
  private final boolean threadsExplicit;
  private final Map<ClusterTemplate, Integer> running = new EnumMap<>(ClusterTemplate.class);
  private final List<DuckDBConnection> databases = new ArrayList<>();
  private DuckDbResources current;

  /**
   * @param opened the settings the databases open with, and return to after the last backfill
   * @param memoryExplicit whether the memory limit was an explicit option, which a template does not change
   * @param threadsExplicit whether the threads were an explicit option, which a template does not change
   */
  public TemplateLimits(DuckDbResources opened, boolean memoryExplicit, boolean threadsExplicit) {
    this.opened = opened;
    this.memoryExplicit = memoryExplicit;
    this.threadsExplicit = threadsExplicit;
    this.current = opened;
  }

  /** From the options {@code memory-limit} and {@code threads}, each explicit when given. */
  public static TemplateLimits fromOptions(PluginOptions options) {
    return new TemplateLimits(DuckDbResources.fromOptions(options), options.optional("memory-limit").isPresent(),
        options.optional("threads").isPresent());
  }

  /** The machine's defaults, neither of them explicit. */
  public static TemplateLimits machineDefaults() {
    return new TemplateLimits(DuckDbResources.machineDefaults(), false, false);
  }

  /** The same options for other databases, with no backfill running and no database attached. */
  public TemplateLimits copy() {
    return new TemplateLimits(opened, memoryExplicit, threadsExplicit);
  }

  /** Whether the two hold the same options (what a database opened with one keeps). */
  public boolean sameOptions(TemplateLimits other) {
    return opened.equals(other.opened) && memoryExplicit == other.memoryExplicit && threadsExplicit == other.threadsExplicit;
  }

  /** The settings the databases are opened with. */
  public DuckDbResources opened() {
    return opened;
  }

  /** The settings in force now: what a database opened now starts with. */
  public synchronized DuckDbResources current() {
    return current;
  }

  /** What a backfill of the template runs with: its share, except where an option was explicit. */
  public DuckDbResources during(ClusterTemplate template) {
    DuckDbResources share = DuckDbResources.forTemplate(template);
    return new DuckDbResources(memoryExplicit ? opened.memoryLimitBytes() : share.memoryLimitBytes(),
        threadsExplicit ? opened.threads() : share.threads());
  }

  /**
   * A database that has just opened with {@link #current()}: later changes are set on it too.
   * Its configuration must not be locked. The connection stays the caller's to close.
   */
  public synchronized void attach(DuckDBConnection database) {
    databases.add(database);
  }

  /** Forgets a database that is closing. */
  public synchronized void detach(DuckDBConnection database) {
    databases.remove(database);
  }

  /**
   * A backfill of the template starts on the databases: they take the settings of the largest
   * template running. Close the result when the backfill ends (idempotent).
   *
   * <p>A database that refuses the settings (DuckDB cannot lower the memory limit below what a
   * running query holds) keeps its own, with a warning in the log.
   */
  public Running start(ClusterTemplate template) {
    synchronized (this) {
      running.merge(template, 1, Integer::sum);
      apply();
    }
    return new Running(template);
  }

  private synchronized void end(ClusterTemplate template) {
    running.computeIfPresent(template, (t, n) -> n == 1 ? null : n - 1);
    apply();
  }

  private void apply() {
    DuckDbResources wanted = running.isEmpty() ? opened
        : during(running.keySet().stream().max(Enum::compareTo).orElseThrow());
    if (wanted.equals(current)) {
      return;
    }
    for (DuckDBConnection database : databases) {
      try (DuckDBConnection c = (DuckDBConnection) database.duplicate(); Statement s = c.createStatement()) {
        for (String set : wanted.setStatements()) {
          s.execute(set);
        }
      } catch (SQLException e) {
        // A limit is a budget, not a result: DuckDB refuses to lower it below memory it cannot
        // free at once (pinned by a running query), and the backfill is better off running.
        LoggerFactory.getLogger(TemplateLimits.class).warn("DuckDB keeps its settings instead of {}: {}", wanted,
            ResultSetRows.firstLine(e));
      }
    }
    current = wanted;
  }

  /** One backfill's hold on the settings of its template; closing it gives them back. */
  public final class Running implements AutoCloseable {
    private final ClusterTemplate template;
    private boolean ended;

    private Running(ClusterTemplate template) {
      this.template = template;
    }

    @Override
    public void close() {
      synchronized (TemplateLimits.this) {
        if (!ended) {
          ended = true;
          end(template);
        }
      }
    }
  }
}
