package dev.backfill.cli;

import dev.backfill.api.BackfillConflictException;
import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.cli.config.ConfigException;
import picocli.CommandLine;

/** The exit codes of every command, and which failure gives which. */
public final class ExitCodes {
  /** The command did what it was asked. */
  public static final int SUCCESS = 0;
  /** The backfill failed or was cancelled, or a store failed. */
  public static final int FAILED = 1;
  /** A usage error: a bad option, time, cluster template, configuration, an unknown name, a refused reset or deletion. */
  public static final int USAGE = 2;
  /** A conflict with a running backfill, in this process or another one on the same environment. */
  public static final int CONFLICT = 3;

  private ExitCodes() {}

  /** The exit code for a command that ended with this exception. */
  static int of(Throwable failure) {
    if (failure instanceof CommandLine.ParameterException
        || failure instanceof UsageException
        || failure instanceof ConfigException
        || failure instanceof InvalidBackfillRequestException
        || failure instanceof InvalidFeatureSetException) {
      return USAGE;
    }
    if (failure instanceof BackfillConflictException || failure instanceof EnvironmentBusyException) {
      return CONFLICT;
    }
    return FAILED;
  }
}
