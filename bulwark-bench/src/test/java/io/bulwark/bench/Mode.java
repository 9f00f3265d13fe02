package io.bulwark.bench;

import java.time.Duration;
import java.util.List;

/**
 * How long and how widely to measure. Smoke mode proves that the harness works (demo model only,
 * nothing downloaded, a few seconds); quick gives figures worth reading; full adds the soak.
 */
enum Mode {
  SMOKE(
      Duration.ofMillis(200),
      Duration.ofMillis(400),
      List.of(1, 8),
      8,
      Duration.ZERO,
      1,
      List.of(256)),
  QUICK(
      Duration.ofSeconds(2),
      Duration.ofSeconds(4),
      List.of(1, 8, 32, 64),
      32,
      Duration.ZERO,
      3,
      List.of(16, 256, 1024)),
  FULL(
      Duration.ofSeconds(5),
      Duration.ofSeconds(15),
      List.of(1, 8, 32, 64),
      32,
      Duration.ofMinutes(10),
      5,
      List.of(16, 256, 1024));

  /** Load before measuring, in every load run (JIT, connections, ONNX Runtime arenas). */
  final Duration warmup;

  /** Each measured phase of a load run, and each raw ONNX Runtime measurement. */
  final Duration measure;

  /** Client concurrency levels of the end-to-end rows. */
  @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
  final List<Integer> concurrencies;

  /** Concurrency of the transport rows, and of the end-to-end row compared with them. */
  final int transportConcurrency;

  /** The soak at concurrency 64; zero skips it. */
  final Duration soak;

  /** Repetitions of the model-open measurement. */
  final int openRepetitions;

  /** Concurrent appenders of the audit rows. */
  @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
  final List<Integer> auditAppenders;

  Mode(
      Duration warmup,
      Duration measure,
      List<Integer> concurrencies,
      int transportConcurrency,
      Duration soak,
      int openRepetitions,
      List<Integer> auditAppenders) {
    this.auditAppenders = auditAppenders;
    this.warmup = warmup;
    this.measure = measure;
    this.concurrencies = concurrencies;
    this.transportConcurrency = transportConcurrency;
    this.soak = soak;
    this.openRepetitions = openRepetitions;
  }

  static Mode parse(String flag) {
    return switch (flag) {
      case "--smoke" -> SMOKE;
      case "--quick" -> QUICK;
      case "--full" -> FULL;
      default -> throw new IllegalArgumentException("unknown mode " + flag);
    };
  }
}
