package io.bulwark.cli.internal;

import picocli.CommandLine.Option;

/**
 * {@code -h/--help} for subcommands. They do not take picocli's standard mixin because its {@code
 * --version} would clash with {@code model push --version V}.
 */
final class HelpOption {
  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;
}
