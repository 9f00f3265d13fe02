package io.bulwark.cli.internal;

import io.bulwark.cli.Bulwark;
import io.bulwark.core.BulwarkException;

/**
 * A command failed in a way the user can act on. The message is printed as {@code bulwark:
 * <message>} and the process exits with {@link #exitCode()}.
 */
final class CliException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  private CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A value on the command line or in a configuration file is invalid; nothing was done. */
  static CliException usage(String message) {
    return new CliException(Bulwark.EXIT_USAGE, message);
  }

  /** A negative security verdict, such as a download that does not match its digest. */
  static CliException verdict(String message) {
    return new CliException(Bulwark.EXIT_VERDICT, message);
  }

  /** The command could not be carried out (server, network, TLS, files). */
  static CliException failure(String message) {
    return new CliException(Bulwark.EXIT_ERROR, message);
  }

  static CliException failure(String message, Throwable cause) {
    return new CliException(Bulwark.EXIT_ERROR, message, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
