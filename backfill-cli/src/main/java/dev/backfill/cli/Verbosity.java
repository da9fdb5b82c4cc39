package dev.backfill.cli;

/** How much the user asked to see: 0 by default, one more per {@code -v}. */
interface Verbosity {
  int level();
}
