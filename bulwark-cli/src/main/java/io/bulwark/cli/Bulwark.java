package io.bulwark.cli;

import io.bulwark.cli.internal.CommandLineRunner;
import java.io.PrintStream;
import java.util.Map;

/**
 * The {@code bulwark} command: {@code serve}, the client commands ({@code model ...}, {@code key
 * ...}) and, later, offline tools.
 *
 * <p>Exit codes are a contract with scripts and never change meaning:
 *
 * <ul>
 *   <li>{@value #EXIT_OK}: success;
 *   <li>{@value #EXIT_ERROR}: an error: the server refused or failed the request (including 401 and
 *       403, reported as "authentication failed: ..."), the network or TLS failed, or a file could
 *       not be read;
 *   <li>{@value #EXIT_USAGE}: bad usage: unknown or missing options and arguments, and values
 *       rejected before anything is sent (model names, missing API key, invalid configuration);
 *   <li>{@value #EXIT_VERDICT}: a negative security verdict from an offline check (signature
 *       invalid, file unsafe, token rejected, audit log does not verify).
 * </ul>
 *
 * <p>Errors are printed to standard error as one line {@code bulwark: <message>}, never as a stack
 * trace (set {@code BULWARK_DEBUG=1} to get one). Standard output carries only the command's
 * result, so that {@code --json} output can be piped.
 */
public final class Bulwark {
  /** Success. */
  public static final int EXIT_OK = 0;

  /** The command failed: server error, network or TLS failure, I/O error. */
  public static final int EXIT_ERROR = 1;

  /** The command line or a value given on it is invalid; nothing was sent. */
  public static final int EXIT_USAGE = 2;

  /** An offline security check reached a negative verdict. */
  public static final int EXIT_VERDICT = 3;

  private Bulwark() {}

  public static void main(String[] args) {
    // The AWS KMS provider sits on the AWS SDK for Java 1.x, which otherwise prints its
    // end-of-support notice, with a stack trace, when first used.
    if (System.getProperty("aws.java.v1.disableDeprecationAnnouncement") == null) {
      System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
    }
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /**
   * Runs one command in this JVM and returns its exit code; never calls {@link System#exit} and
   * never throws for a failing command.
   *
   * @param out where the command's result goes
   * @param err where errors, warnings and progress go
   * @param env the environment to read {@code BULWARK_URL}, {@code BULWARK_API_KEY} and {@code
   *     BULWARK_DEBUG} from, in place of the process environment
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return CommandLineRunner.run(args, out, err, env);
  }
}
