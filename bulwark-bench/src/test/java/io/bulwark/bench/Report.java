package io.bulwark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The figures of one run and the targets computed from them, rendered as Markdown tables (readable
 * in a terminal as they are).
 */
final class Report {
  record Raw(String model, String inputs, int threads, double perSecond) {}

  record Transport(
      String model,
      String http,
      int concurrency,
      int requestBytes,
      int responseBytes,
      LoadResult result) {}

  record EndToEnd(String model, String encoding, int concurrency, LoadResult result) {}

  record Open(
      String model,
      long bytes,
      double deployMs,
      double sessionMs,
      double decryptMs,
      double sha256Ms) {
    Open withDecryptMs(double ms) {
      return new Open(model, bytes, deployMs, sessionMs, ms, sha256Ms);
    }
  }

  record Soak(long minutes, LoadResult result, long maxRssMiB, long maxHeapMiB) {}

  private final Mode mode;
  private final Machine machine;
  private final String loadAtStart = Machine.loadAverage();
  final List<BenchModel> models = new ArrayList<>();
  final List<Raw> raw = new ArrayList<>();
  final List<Transport> transport = new ArrayList<>();
  final List<EndToEnd> endToEnd = new ArrayList<>();
  final List<SecurityPipeline.Piece> security = new ArrayList<>();
  Optional<Open> open = Optional.empty();
  Optional<Soak> soak = Optional.empty();
  final List<AuditThroughput.Result> audit = new ArrayList<>();
  long maxRssMiB;
  long maxHeapMiB;

  Report(Mode mode, Machine machine) {
    this.mode = mode;
    this.machine = machine;
  }

  String render() {
    StringBuilder out = new StringBuilder();
    out.append("Mode: ")
        .append(mode.name().toLowerCase(Locale.ROOT))
        .append(". Machine: ")
        .append(machine.cores())
        .append(" cores, ")
        .append(machine.cpu())
        .append(". JDK: ")
        .append(machine.jdk())
        .append(". Date: ")
        .append(machine.date())
        .append(". Load average (1 min) at start ")
        .append(loadAtStart)
        .append(", at end ")
        .append(Machine.loadAverage())
        .append(".\n\n");
    table(
        out,
        "(a) Raw ONNX Runtime in process",
        List.of("model", "inputs", "threads", "inferences/s"),
        raw.stream()
            .map(r -> List.of(r.model(), r.inputs(), "" + r.threads(), f(r.perSecond())))
            .toList());
    table(
        out,
        "(b) Transport: Armeria no-op, same TLS and body sizes",
        List.of(
            "body of",
            "HTTP",
            "concurrency",
            "request/response bytes",
            "req/s",
            "p50 µs",
            "p99 µs",
            "p99.9 µs",
            "errors"),
        transport.stream()
            .map(
                t ->
                    load(
                        List.of(
                            t.model(),
                            t.http(),
                            "" + t.concurrency(),
                            t.requestBytes() + " / " + t.responseBytes()),
                        t.result()))
            .toList());
    table(
        out,
        "(c) Bulwark end to end: HTTPS, HTTP/2, API key, signed and approved models, rate limits",
        List.of(
            "model", "encoding", "concurrency", "req/s", "p50 µs", "p99 µs", "p99.9 µs", "errors"),
        endToEnd.stream()
            .map(e -> load(List.of(e.model(), e.encoding(), "" + e.concurrency()), e.result()))
            .toList());
    table(
        out,
        "(d) Model open: deploy through the API vs SHA-256 of the same bytes",
        List.of(
            "model",
            "MiB",
            "deploy ms",
            "of which ONNX session ms",
            "of which decrypt + digest check ms",
            "SHA-256 ms",
            "deploy / SHA-256"),
        open.stream()
            .map(
                o ->
                    List.of(
                        o.model(),
                        f(o.bytes() / 1048576.0),
                        f(o.deployMs()),
                        f(o.sessionMs()),
                        f(o.decryptMs()),
                        f(o.sha256Ms()),
                        f(o.deployMs() / o.sha256Ms()) + "×"))
            .toList());
    auditTable(out);
    table(
        out,
        "Security pipeline pieces (JMH, sample time per call)",
        List.of("piece", "p50 µs", "p99 µs"),
        security.stream().map(p -> List.of(p.name(), f(p.p50()), f(p.p99()))).toList());
    out.append("Server process during the load runs: max RSS ")
        .append(maxRssMiB)
        .append(" MiB, max heap used ")
        .append(maxHeapMiB)
        .append(" MiB.\n\n");
    table(
        out,
        "Models",
        List.of("model", "source", "file", "SHA-256", "licence"),
        models.stream()
            .map(m -> List.of(m.name(), m.source(), m.entry(), "`" + m.sha256() + "`", m.licence()))
            .toList());
    table(out, "Targets", List.of("target", "measured", "goal", "met"), targets());
    return out.toString();
  }

  /** Only the audit table and its target, for a run that measures nothing else. */
  String renderAudit() {
    StringBuilder out = new StringBuilder();
    auditTable(out);
    table(out, "Targets", List.of("target", "measured", "goal", "met"), List.of(auditTarget()));
    return out.toString();
  }

  private void auditTable(StringBuilder out) {
    table(
        out,
        "(e) Audit: durable AuditLog.append with group commit, concurrent virtual threads",
        List.of("appenders", "durable events/s", "p50 µs", "p99 µs"),
        audit.stream()
            .map(
                a ->
                    List.of(
                        "" + a.threads(),
                        f(a.eventsPerSecond()),
                        "" + a.p50Micros(),
                        "" + a.p99Micros()))
            .toList());
  }

  private List<String> auditTarget() {
    OptionalDouble best = audit.stream().mapToDouble(AuditThroughput.Result::eventsPerSecond).max();
    if (best.isEmpty()) {
      return List.of("durable audit", "not measured", "≥ 20,000 events/s", "—");
    }
    double rate = best.getAsDouble();
    return List.of(
        "durable audited events/s (best row of (e))",
        f(rate) + " (" + String.format(Locale.ROOT, "%.1f", rate / 20_000) + "× the goal)",
        "≥ 20,000 events/s",
        yes(rate >= 20_000));
  }

  private List<List<String>> targets() {
    List<List<String>> rows = new ArrayList<>();
    for (String model : List.of("minilm-q", "minilm")) {
      OptionalDouble rawN =
          raw.stream()
              .filter(r -> r.model().equals(model) && r.threads() == machine.cores())
              .mapToDouble(Raw::perSecond)
              .max();
      OptionalDouble e2e =
          endToEnd.stream()
              .filter(
                  e ->
                      e.model().equals(model)
                          && e.encoding().equals("binary")
                          && e.concurrency() >= machine.cores())
              .mapToDouble(e -> e.result().requestsPerSecond())
              .max();
      rows.add(
          ratio(
              model
                  + " end to end (binary, best at concurrency ≥ cores) / raw at "
                  + machine.cores()
                  + " threads",
              rawN.isPresent() && e2e.isPresent()
                  ? e2e.getAsDouble() / rawN.getAsDouble()
                  : Double.NaN,
              0.85));
    }
    String tiny = models.isEmpty() ? "" : models.get(0).name();
    OptionalDouble noop =
        transport.stream()
            .filter(t -> t.model().equals(tiny) && t.http().equals("2"))
            .mapToDouble(t -> t.result().requestsPerSecond())
            .max();
    OptionalDouble tinyE2e =
        endToEnd.stream()
            .filter(
                e ->
                    e.model().equals(tiny)
                        && e.encoding().equals("json")
                        && e.concurrency() == mode.transportConcurrency)
            .mapToDouble(e -> e.result().requestsPerSecond())
            .max();
    rows.add(
        ratio(
            tiny
                + " end to end / no-op transport (JSON, HTTP/2, concurrency "
                + mode.transportConcurrency
                + ")",
            noop.isPresent() && tinyE2e.isPresent()
                ? tinyE2e.getAsDouble() / noop.getAsDouble()
                : Double.NaN,
            0.70));
    double p50 = sum(true);
    double p99 = sum(false);
    rows.add(
        List.of(
            "security pipeline p50 (authenticate + rate limit + cached policy, summed)",
            f(p50) + " µs",
            "≤ 100 µs",
            yes(p50 <= 100)));
    rows.add(
        List.of(
            "security pipeline p99 (summed: an upper bound)",
            f(p99) + " µs",
            "≤ 1000 µs",
            yes(p99 <= 1000)));
    rows.add(
        open.map(
                o ->
                    List.of(
                        "model open (" + o.model() + ") / SHA-256",
                        f(o.deployMs() / o.sha256Ms()) + "×",
                        "≤ 1.5×",
                        yes(o.deployMs() / o.sha256Ms() <= 1.5)))
            .orElse(List.of("model open / SHA-256", "not measured", "≤ 1.5×", "—")));
    rows.add(auditTarget());
    rows.add(
        soak.map(
                s ->
                    List.of(
                        s.minutes() + "-minute soak at concurrency 64: errors, max RSS, max heap",
                        s.result().errors()
                            + " errors, "
                            + s.maxRssMiB()
                            + " MiB, "
                            + s.maxHeapMiB()
                            + " MiB",
                        "0 errors, bounded memory",
                        yes(s.result().errors() == 0)))
            .orElse(
                List.of(
                    "soak at concurrency 64",
                    "not run (full mode only)",
                    "0 errors, bounded memory",
                    "—")));
    return rows;
  }

  private double sum(boolean median) {
    return security.stream()
        .filter(p -> !p.name().equals("policyUncached"))
        .mapToDouble(p -> median ? p.p50() : p.p99())
        .sum();
  }

  private static List<String> ratio(String what, double value, double goal) {
    return Double.isNaN(value)
        ? List.of(what, "not measured in this mode", "≥ " + pct(goal), "—")
        : List.of(what, pct(value), "≥ " + pct(goal), yes(value >= goal));
  }

  private static List<String> load(List<String> head, LoadResult r) {
    List<String> row = new ArrayList<>(head);
    row.addAll(
        List.of(
            f(r.requestsPerSecond()), "" + r.p50(), "" + r.p99(), "" + r.p999(), "" + r.errors()));
    return row;
  }

  private static void table(
      StringBuilder out, String title, List<String> header, List<List<String>> rows) {
    out.append("### ").append(title).append("\n\n");
    out.append("| ").append(String.join(" | ", header)).append(" |\n");
    out.append("|").append("---|".repeat(header.size())).append('\n');
    for (List<String> row : rows) {
      out.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    out.append('\n');
  }

  private static String yes(boolean met) {
    return met ? "yes" : "**no**";
  }

  private static String pct(double ratio) {
    return String.format(Locale.ROOT, "%.0f%%", ratio * 100);
  }

  static String f(double v) {
    if (Double.isNaN(v)) {
      return "failed";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
