package io.bulwark.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of {@link LoadGenerator} measured: throughput in the closed loop, latencies in
 * microseconds from the paced phase, and failed requests of both.
 */
record LoadResult(
    double requestsPerSecond,
    long requests,
    long errors,
    long p50,
    long p99,
    long p999,
    long max,
    String firstError) {

  /** Runs the load generator in a new JVM with {@code arguments} and waits for its result. */
  static LoadResult run(List<String> arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    // Under Surefire the class path may be a manifest-only jar; a child JVM can use that as well.
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(LoadGenerator.class.getName());
    command.addAll(arguments);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    String line =
        out.lines()
            .filter(l -> l.startsWith("RESULT "))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("load generator failed, exit " + exit));
    Map<String, String> v = new HashMap<>();
    for (String kv : line.substring("RESULT ".length()).split(" ", -1)) {
      String[] parts = kv.split("=", 2);
      v.put(parts[0], parts[1]);
    }
    return new LoadResult(
        Double.parseDouble(v.get("rps")),
        Long.parseLong(v.get("requests")),
        Long.parseLong(v.get("errors")),
        Long.parseLong(v.get("p50")),
        Long.parseLong(v.get("p99")),
        Long.parseLong(v.get("p999")),
        Long.parseLong(v.get("max")),
        v.get("first_error"));
  }
}
