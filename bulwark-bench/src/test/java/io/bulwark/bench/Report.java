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

  record Soak(
      java.time.Duration length,
      LoadResult result,
      long maxRssMiB,
      long maxHeapMiB,
      List<MemorySample> samples) {}

  /** The process's memory {@code second}s into the soak. */
  record MemorySample(long second, long rssMiB, long liveHeapMiB) {}

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
    securityTable(out);
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
  String renderSoak() {
    StringBuilder out = new StringBuilder();
    soak.ifPresent(
        s -> {
          LoadResult r = s.result();
          table(
              out,
              "Soak: "
                  + models.get(0).name()
                  + ", JSON, HTTP/2, concurrency 64, closed loop, "
                  + span(s.length()),
              List.of("requests", "req/s", "errors", "p50 µs", "p99 µs", "p99.9 µs", "max µs"),
              List.of(
                  List.of(
                      "" + r.requests(),
                      f(r.requestsPerSecond()),
                      "" + r.errors(),
                      "" + r.p50(),
                      "" + r.p99(),
                      "" + r.p999(),
                      "" + r.max())));
          table(
              out,
              "Soak: memory of the server process during the soak",
              List.of("second", "RSS MiB", "live heap MiB (after the last collection)"),
              s.samples().stream()
                  .map(m -> List.of("" + m.second(), "" + m.rssMiB(), "" + m.liveHeapMiB()))
                  .toList());
          if (!r.firstError().isEmpty() && !r.firstError().equals("null")) {
            out.append("First error: ").append(r.firstError()).append("\n\n");
          }
        });
    out.append("Load average (1 min) at the end ").append(Machine.loadAverage()).append(".\n");
    return out.toString();
  }

  String renderPipeline() {
    StringBuilder out = new StringBuilder();
    securityTable(out);
    List<List<String>> rows =
        targets().stream().filter(r -> r.get(0).startsWith("security pipeline")).toList();
    table(out, "Targets", List.of("target", "measured", "goal", "met"), rows);
    return out.toString();
  }

  private void securityTable(StringBuilder out) {
    table(
        out,
        "Security pipeline (JMH, sample time per call): the whole in-process pipeline on the demo"
            + " model, the model alone, one durable audit append alone, and the pieces",
        List.of("piece", "p50 µs", "p99 µs"),
        security.stream().map(p -> List.of(p.name(), f(p.p50()), f(p.p99()))).toList());
  }

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
    double pipelineP50 = piece("pipeline", true);
    double pipelineP99 = piece("pipeline", false);
    double modelP50 = piece("modelCall", true);
    double auditP50 = piece("auditAppend", true);
    double overheadP50 = pipelineP50 - modelP50;
    rows.add(
        List.of(
            "security pipeline p50 (whole pipeline in process, one caller, minus the model's p50;"
                + " of which one durable audit append "
                + f(auditP50)
                + " µs)",
            f(overheadP50) + " µs",
            "≤ 100 µs",
            Double.isNaN(overheadP50) ? "—" : yes(overheadP50 <= 100)));
    rows.add(
        List.of(
            "security pipeline p99 (whole pipeline, model included: an upper bound)",
            f(pipelineP99) + " µs",
            "≤ 1000 µs",
            Double.isNaN(pipelineP99) ? "—" : yes(pipelineP99 <= 1000)));
    rows.add(
        List.of(
            "security pipeline p50 without the durable audit wait (pipeline − model − audit"
                + " append) and pieces summed (authenticate + rate limit + cached policy)",
            f(overheadP50 - auditP50) + " µs, " + f(sum(true)) + " µs",
            "(for reading the row above)",
            "—"));
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
                        span(s.length())
                            + " soak at concurrency 64: errors, max RSS, live heap"
                            + " from the first to the last sample",
                        s.result().errors()
                            + " errors, "
                            + s.maxRssMiB()
                            + " MiB, "
                            + liveHeapTrend(s.samples()),
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

  private static String span(java.time.Duration d) {
    return d.toSeconds() < 120 ? d.toSeconds() + " s" : d.toMinutes() + " min";
  }

  private static String liveHeapTrend(List<MemorySample> samples) {
    if (samples.isEmpty()) {
      return "no sample";
    }
    return samples.get(0).liveHeapMiB()
        + " → "
        + samples.get(samples.size() - 1).liveHeapMiB()
        + " MiB";
  }

  private double piece(String name, boolean median) {
    return security.stream()
        .filter(p -> p.name().equals(name))
        .mapToDouble(p -> median ? p.p50() : p.p99())
        .findFirst()
        .orElse(Double.NaN);
  }

  private double sum(boolean median) {
    return security.stream()
        .filter(p -> SecurityPipeline.PIECES.contains(p.name()))
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
