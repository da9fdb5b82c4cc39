package dev.backfill.cli;

import dev.backfill.api.BackfillCancelledException;
import dev.backfill.api.BackfillFailedException;
import dev.backfill.api.BackfillJob;
import dev.backfill.api.BackfillPlan;
import dev.backfill.api.BackfillRequest;
import dev.backfill.api.BackfillResult;
import dev.backfill.api.ClusterTemplate;
import dev.backfill.cli.config.BackfillConfig;
import dev.backfill.cli.config.FeatureSetConfig;
import dev.backfill.api.RangeContents;
import dev.backfill.api.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backfill features backfill}: resolves the request against the feature set of the
 * configuration, shows the plan and what it replaces (a dry run stops there), asks for a reset to
 * be confirmed, runs the job with its progress on standard error (asking again if the job would
 * delete rows and write none) and prints the summary on standard output.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
    description = {"Recomputes a feature set's data in [start, stop) from its source and transform, "
        + "replacing the offline rows of the range and updating the online store.",
        "Times are UTC: yyyy-MM-dd, yyyy-MM-dd'T'HH:mm:ss or 'yyyy-MM-dd HH:mm:ss'."})
final class BackfillCommand implements Callable<Integer> {
  private final CliContext context;
  private final GlobalOptions global;

  @Mixin EnvironmentOption environment = new EnvironmentOption();

  @Option(names = {"--feature-set", "--name"}, required = true, paramLabel = "NAME",
      description = "The feature set to backfill.")
  String featureSet;

  @Option(names = {"--reset-backfill", "--reset"},
      description = "Delete all current data of the feature set, then recompute [start, stop). Asks for confirmation.")
  boolean reset;

  @Option(names = "--start-time", paramLabel = "T", converter = OptionConverters.Time.class,
      description = "Start of the range, inclusive (default: the feature set's backfill-start).")
  Instant start;

  @Option(names = "--stop-time", paramLabel = "T", converter = OptionConverters.Time.class,
      description = "End of the range, exclusive (default: now; a later time is rounded down to now).")
  Instant stop;

  @Option(names = "--cluster-template", paramLabel = "SIZE", converter = OptionConverters.Template.class,
      description = "SMALL, MEDIUM, LARGE or XLARGE: 2, 4, 8 or 16 parallel workers (default: the feature set's).")
  ClusterTemplate clusterTemplate;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Stored with the job and shown in listings.")
  String comment;

  @Option(names = "--dry-run", description = "Print the resolved plan and change nothing.")
  boolean dryRun;

  @Option(names = {"-y", "--yes"}, description = "Confirm a reset, or a backfill that would delete rows and write none, "
      + "without asking (required when standard input is not a terminal).")
  boolean yes;

  @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds between progress lines when standard error is not a terminal (default: ${DEFAULT-VALUE}).")
  double progressIntervalSeconds;

  BackfillCommand(CliContext context, GlobalOptions global) {
    this.context = context;
    this.global = global;
  }

  @Override
  public Integer call() {
    if (!(progressIntervalSeconds > 0)) {
      throw new UsageException("--progress-interval must be a positive number of seconds, not " + progressIntervalSeconds);
    }
    BackfillConfig config = global.loadConfig();
    FeatureSetConfig featureSetConfig = config.featureSet(featureSet);
    try (EnvironmentSession session = EnvironmentSession.open(config, environment.name, "backfill features backfill",
        owner("planning"), context, progressInterval())) {
      boolean threadSafe = session.register(featureSetConfig).transform().threadSafe();
      // Now, once, in whole seconds: the default stop, and the stop a future --stop-time is rounded
      // down to, so that the note, the plan and the job all show the one stop the job uses.
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      boolean stopClamped = stop != null && stop.isAfter(now);
      BackfillRequest request = request(session, stop == null || stopClamped ? now : stop);
      BackfillPlan plan = request.plan();
      if (stopClamped) {
        context.err().println("note: --stop-time " + stop + " is in the future; rounded down to now, "
            + plan.range().stop() + ", the stop this backfill uses");
      }
      if (dryRun) {
        RangeContents replaced = session.client().offlineContents(featureSet, plan.reset() ? TimeRange.all() : plan.range());
        context.out().print(Reports.plan(plan, replaced, stopClamped, threadSafe));
        context.out().flush();
        return ExitCodes.SUCCESS;
      }
      Confirmation confirmation = new Confirmation(context);
      if (reset && !yes) {
        confirmReset(confirmation, plan);
      }
      Optional<DeletionPrompt> prompt = yes ? Optional.empty() : Optional.of(new DeletionPrompt(confirmation, featureSet));
      prompt.ifPresent(request::confirmDeletion);
      // The plan shown and confirmed is the one that runs, however long the question took.
      BackfillJob job = request.submit(plan);
      session.describe(owner("job " + job.id() + " of " + featureSet + " " + Reports.range(job.plan().range())
          + (reset ? ", reset" : "") + ", since " + job.submittedAt()));
      context.err().println("backfill job " + job.id() + " of " + featureSet + " started: "
          + Reports.range(job.plan().range()) + (reset ? ", reset" : "") + ", " + job.plan().slices().size()
          + " slices, " + Reports.workers(job.plan(), threadSafe));
      context.err().flush();
      return await(job, prompt);
    }
  }

  private BackfillRequest request(EnvironmentSession session, Instant stopTime) {
    BackfillRequest request = session.client().backfill(featureSet);
    if (reset) {
      request.reset();
    }
    if (start != null) {
      request.startTime(start);
    }
    // In whole seconds when it is now: it reads as a time a person would type, in the plan, the
    // summary and the listings.
    request.stopTime(stopTime);
    if (clusterTemplate != null) {
      request.clusterTemplate(clusterTemplate);
    }
    if (comment != null) {
      request.comment(comment);
    }
    return request;
  }

  private void confirmReset(Confirmation confirmation, BackfillPlan plan) {
    String consequence = "--reset-backfill deletes all offline and online data of feature set '" + featureSet
        + "' and recomputes " + Reports.range(plan.range());
    if (!confirmation.canAsk()) {
      throw new UsageException(Confirmation.notATerminal(consequence));
    }
    // Before the job starts nothing needs cancelling: Ctrl-C ends the process as usual.
    if (!confirmation.ask(consequence, new CompletableFuture<Void>())) {
      throw new UsageException("reset of feature set '" + featureSet + "' not confirmed (answer y or yes, or pass --yes); nothing was changed");
    }
  }

  private int await(BackfillJob job, Optional<DeletionPrompt> prompt) {
    BackfillResult result;
    try (Interruptions.Registration interrupt = context.interruptions().onInterrupt(() -> interrupted(job, prompt));
         ProgressReporter progress = ProgressReporter.start(job, context.err(), context.errorInteractive(),
             progressInterval())) {
      prompt.ifPresent(p -> p.showingProgress(progress));
      result = job.await();
    } catch (BackfillCancelledException e) {
      Optional<String> refusal = prompt.flatMap(DeletionPrompt::refusal);
      if (refusal.isPresent()) {
        throw new UsageException(refusal.get());
      }
      context.err().println("backfill job " + job.id() + " of " + featureSet
          + " was cancelled before its offline commit; neither store was changed");
      context.err().flush();
      return ExitCodes.FAILED;
    } catch (BackfillFailedException e) {
      context.err().println("error: backfill job " + job.id() + " of " + featureSet + " failed: "
          + FailureReporter.firstLine(job.failure().orElse(e.getMessage())));
      context.err().flush();
      return ExitCodes.FAILED;
    }
    context.out().print(Reports.result(result));
    context.out().flush();
    return ExitCodes.SUCCESS;
  }

  private void interrupted(BackfillJob job, Optional<DeletionPrompt> prompt) {
    String notice = interruptionNotice(job);
    prompt.ifPresent(DeletionPrompt::interrupt);
    context.err().println();
    context.err().println(notice);
    context.err().flush();
  }

  /**
   * What an interruption did, as the job's state says it at that moment: cancelled; or, when
   * cancel() refused, whether the offline commit is still running or already done.
   */
  static String interruptionNotice(BackfillJob job) {
    if (job.cancel()) {
      return "interrupted: cancelling backfill job " + job.id() + "; nothing will be changed";
    }
    return switch (job.commitStage()) {
      case COMMITTING -> "interrupted: backfill job " + job.id() + " is committing its offline data, which cannot be "
          + "cancelled (the commit completes or changes nothing); waiting for it, then for its online update";
      case COMMITTED -> job.status().isTerminal()
          ? "interrupted: backfill job " + job.id() + " has already finished"
          : "interrupted: backfill job " + job.id() + " has committed its offline data; finishing its online update first";
      case BEFORE_COMMIT -> "interrupted: backfill job " + job.id() + " has already finished";
    };
  }

  private Duration progressInterval() {
    return Duration.ofMillis(Math.round(progressIntervalSeconds * 1000));
  }

  private String owner(String doing) {
    return EnvironmentSession.owner("backfill --feature-set " + featureSet, doing);
  }
}
