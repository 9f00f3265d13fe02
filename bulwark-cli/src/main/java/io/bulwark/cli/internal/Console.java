package io.bulwark.cli.internal;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a command writes and which environment it reads: the process's own for {@code main}, a
 * test's for in-process runs.
 */
record Console(PrintStream out, PrintStream err, Map<String, String> env) {
  Console {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    env = Map.copyOf(env);
  }

  /** The value of environment variable {@code name}, if it is set and not blank. */
  Optional<String> variable(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  void warn(String message) {
    err.println("bulwark: warning: " + message);
  }
}
