package dev.backfill.cli;

import picocli.CommandLine.Option;

/** The {@code --environment} option of every command that works on an environment's stores. */
final class EnvironmentOption {
  @Option(names = "--environment", required = true, paramLabel = "ENV",
      description = "The environment of the configuration file whose stores and job history to use.")
  String name;
}
