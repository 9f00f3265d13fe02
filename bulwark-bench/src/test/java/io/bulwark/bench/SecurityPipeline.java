package io.bulwark.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link SecurityPipelineBenchmark} and {@link InferencePipelineBenchmark} with JMH, sampling
 * the time of every call.
 */
final class SecurityPipeline {
  private SecurityPipeline() {}

  /** The benchmark methods of {@link SecurityPipelineBenchmark}. */
  static final List<String> PIECES =
      List.of("authenticateApiKey", "rateLimit", "policyCached", "policyUncached");

  /** The benchmark methods of {@link InferencePipelineBenchmark}. */
  static final List<String> WHOLE = List.of("pipeline", "pipeline16", "modelCall", "auditAppend");

  /** One piece of the pipeline: median and 99th percentile of single-call time, microseconds. */
  record Piece(String name, double p50, double p99) {}

  /**
   * Smoke mode runs in this JVM for a fraction of a second, to prove the benchmark works; the other
   * modes fork a JVM, as JMH intends, and measure for seconds.
   */
  static List<Piece> measure(Mode mode) throws RunnerException {
    boolean smoke = mode == Mode.SMOKE;
    // The forked JVM gets its class path through a manifest-only jar: ONNX Runtime crashes while
    // creating its environment in a process whose command line is longer than about 4 KB.
    System.setProperty("jmh.separateClasspathJAR", "true");
    TimeValue time =
        smoke ? TimeValue.milliseconds(200) : TimeValue.seconds(mode == Mode.FULL ? 5 : 1);
    var options =
        new OptionsBuilder()
            .include(Pattern.quote(SecurityPipelineBenchmark.class.getName()) + ".*")
            .include(Pattern.quote(InferencePipelineBenchmark.class.getName()) + ".*")
            .mode(org.openjdk.jmh.annotations.Mode.SampleTime)
            .timeUnit(TimeUnit.MICROSECONDS)
            .forks(smoke ? 0 : 1)
            .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
            .warmupIterations(smoke ? 1 : 3)
            .warmupTime(time)
            .measurementIterations(smoke ? 1 : 5)
            .measurementTime(time)
            .verbosity(VerboseMode.SILENT)
            .build();
    Map<String, Piece> measured = new HashMap<>();
    for (RunResult r : new Runner(options).run()) {
      String benchmark = r.getParams().getBenchmark();
      String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      var statistics = r.getPrimaryResult().getStatistics();
      measured.put(
          name, new Piece(name, statistics.getPercentile(50), statistics.getPercentile(99)));
    }
    // JMH leaves out a benchmark that threw; it must show as failed, not vanish from the table.
    List<Piece> pieces = new ArrayList<>();
    for (String name : java.util.stream.Stream.concat(PIECES.stream(), WHOLE.stream()).toList()) {
      pieces.add(measured.getOrDefault(name, new Piece(name, Double.NaN, Double.NaN)));
    }
    return pieces;
  }
}
