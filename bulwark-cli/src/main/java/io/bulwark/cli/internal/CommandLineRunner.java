package io.bulwark.cli.internal;

import io.bulwark.cli.Bulwark;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Parses and runs one {@code bulwark} command, and is the one place that turns failures into exit
 * codes and {@code bulwark: <message>} lines.
 */
public final class CommandLineRunner {
  static final String DEBUG_VARIABLE = "BULWARK_DEBUG";

  private CommandLineRunner() {}

  /** See {@link Bulwark#run}. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    Console console = new Console(out, err, env);
    // Picocli writes help and errors through these, in the same encoding as the streams.
    PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, out.charset()), true);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, err.charset()), true);
    CommandLine commandLine = new CommandLine(BulwarkCommand.class, new CommandFactory(console));
    // "@file" arguments would make picocli read arbitrary files as arguments: model files may be
    // named anything, and a command line must mean what it says.
    commandLine.setExpandAtFiles(false);
    commandLine.setOut(outWriter);
    commandLine.setErr(errWriter);
    commandLine.setParameterExceptionHandler(new UsageErrors(errWriter));
    commandLine.setExecutionExceptionHandler(new CommandFailures(console, errWriter));
    try {
      return commandLine.execute(args);
    } catch (Error e) {
      // picocli hands only Exceptions to the handler; a broken installation (a class missing from
      // the jar) or an exhausted heap still deserves one line rather than a stack trace.
      errWriter.println(
          "bulwark: internal error: " + e.getClass().getSimpleName() + ": " + Failures.message(e));
      if (console.variable(DEBUG_VARIABLE).isPresent()) {
        e.printStackTrace(errWriter);
      }
      return Bulwark.EXIT_ERROR;
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  private static void hint(PrintWriter err, CommandLine command) {
    err.println(
        "Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
  }

  /** Picocli's parse errors: one line, a hint, exit 2. */
  private static final class UsageErrors implements IParameterExceptionHandler {
    private final PrintWriter err;

    UsageErrors(PrintWriter err) {
      this.err = err;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
      err.println("bulwark: " + Terminal.safe(String.valueOf(e.getMessage())));
      if (e instanceof UnmatchedArgumentException unmatched) {
        UnmatchedArgumentException.printSuggestions(unmatched, err);
      }
      hint(err, e.getCommandLine());
      return Bulwark.EXIT_USAGE;
    }
  }

  /** Failures of a command that parsed: a message, never a stack trace unless asked for. */
  private static final class CommandFailures implements IExecutionExceptionHandler {
    private final Console console;
    private final PrintWriter err;

    CommandFailures(Console console, PrintWriter err) {
      this.console = console;
      this.err = err;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
      int code;
      String message;
      if (e instanceof CliException cli) {
        code = cli.exitCode();
        message = String.valueOf(cli.getMessage());
      } else if (e instanceof UncheckedIOException unchecked) {
        code = Bulwark.EXIT_ERROR;
        IOException cause = unchecked.getCause();
        message = cause == null ? Failures.message(unchecked) : Failures.io(cause);
      } else if (e instanceof IOException checked) {
        code = Bulwark.EXIT_ERROR;
        message = Failures.io(checked);
      } else {
        code = Bulwark.EXIT_ERROR;
        message = "unexpected error: " + e.getClass().getSimpleName() + ": " + Failures.message(e);
      }
      err.println("bulwark: " + message);
      if (code == Bulwark.EXIT_USAGE) {
        hint(err, command);
      }
      if (console.variable(DEBUG_VARIABLE).isPresent()) {
        e.printStackTrace(err);
      }
      return code;
    }
  }
}
