package io.bulwark.bench;

import io.bulwark.crypto.ArtifactSealers;
import io.bulwark.crypto.KeyEncryptionKeys;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.Tensor;
import io.bulwark.registry.ModelRegistry;
import io.bulwark.storage.Database;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The benchmark harness. {@code BenchMain --smoke|--quick|--full [--cache DIR] [--out FILE]} prints
 * the tables and, with {@code --out}, writes them to that Markdown file as well.
 *
 * <p>The server runs in this JVM; every load run is a new JVM ({@link LoadGenerator}). The machine
 * is shared by both, so figures are for comparison within one run, not absolute capacity.
 */
public final class BenchMain {
  private static final String JSON = "json";
  private static final String BINARY = "binary";

  private final Mode mode;
  private final Path cache;
  private final Path work;
  private final Report report;
  private final Map<String, Map<String, Inputs.Body>> bodies = new HashMap<>();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

  private BenchMain(Mode mode, Path cache, Path work) {
    this.mode = mode;
    this.cache = cache;
    this.work = work;
    this.report = new Report(mode, Machine.current());
  }

  public static void main(String[] args) throws Exception {
    Mode mode = Mode.QUICK;
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "bulwark-bench");
    Path out = null;
    boolean auditOnly = false;
    boolean pipelineOnly = false;
    int soakMinutes = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--cache" -> cache = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--audit-only" -> auditOnly = true;
        case "--pipeline-only" -> pipelineOnly = true;
        case "--soak-only" -> soakMinutes = Integer.parseInt(args[++i]);
        default -> mode = Mode.parse(args[i]);
      }
    }
    if (auditOnly) {
      // Only row (e): printed, never written over a page whose other rows it did not measure.
      System.out.println(runAudit(mode));
      System.exit(0);
    }
    if (pipelineOnly) {
      // Only the JMH rows, printed like the audit row.
      Report report = new Report(mode, Machine.current());
      report.security.addAll(SecurityPipeline.measure(mode));
      System.out.println(report.renderPipeline());
      System.exit(0);
    }
    if (soakMinutes > 0) {
      // Only the soak, printed like the audit row.
      System.out.println(runSoak(cache, Duration.ofMinutes(soakMinutes)));
      System.exit(0);
    }
    String tables = run(mode, cache);
    System.out.println(tables);
    if (out != null) {
      writeBetweenMarkers(out, tables);
      System.out.println("Written to " + out);
    }
    System.exit(0);
  }

  /**
   * Runs every measurement of {@code mode} and returns the tables. The working directory (the
   * server's data directory with its keys, the consumer key, request bodies) is deleted afterwards.
   */
  static String run(Mode mode, Path cache) throws Exception {
    Path work = Files.createTempDirectory("bulwark-bench");
    BenchMain bench = new BenchMain(mode, cache, work);
    try {
      return bench.measure();
    } finally {
      bench.sampler.shutdownNow();
      delete(work);
    }
  }

  /** Measures row (e) alone and returns its table and target. */
  static String runAudit(Mode mode) throws Exception {
    Path work = Files.createTempDirectory("bulwark-bench");
    BenchMain bench = new BenchMain(mode, work, work);
    try {
      bench.auditThroughput();
      return bench.report.renderAudit();
    } finally {
      bench.sampler.shutdownNow();
      delete(work);
    }
  }

  /**
   * Serves the soak model alone (the quantised MiniLM when it is cached, else the demo model) and
   * loads it at concurrency 64 for {@code length}, sampling memory every few seconds.
   */
  static String runSoak(Path cache, Duration length) throws Exception {
    Path work = Files.createTempDirectory("bulwark-bench");
    BenchMain bench = new BenchMain(Mode.QUICK, cache, work);
    try {
      boolean fetched = Files.exists(cache.resolve("all-minilm-l6-v2-q.onnx"));
      List<BenchModel> models =
          BenchModel.catalogue(fetched ? Mode.QUICK : Mode.SMOKE, cache, work);
      BenchModel model = models.get(models.size() > 1 ? 1 : 0);
      bench.report.models.add(model);
      bench.prepareInputs(List.of(model));
      try (BenchServer server = BenchServer.start(work.resolve("data"))) {
        Path key = work.resolve("consumer.key");
        server.pushAndApprove(model.name(), "1", model.bytes());
        server.deploy(model.name(), "1");
        server.consumerKeyFile(List.of(model.name()), key);
        server.infer(model.name(), bench.bodies.get(model.name()).get(JSON), key);
        ScheduledFuture<?> sampling =
            bench.sampler.scheduleAtFixedRate(bench::sampleMemory, 0, 500, TimeUnit.MILLISECONDS);
        bench.soak(server, model, key, length);
        sampling.cancel(false);
      }
      return bench.report.renderSoak();
    } finally {
      bench.sampler.shutdownNow();
      delete(work);
    }
  }

  private void auditThroughput() throws Exception {
    for (int threads : mode.auditAppenders) {
      log("durable audit appends, " + threads + " appenders");
      Path dir = work.resolve("audit-" + threads);
      report.audit.add(AuditThroughput.measure(dir, threads, mode.warmup, mode.measure));
      delete(dir);
    }
  }

  private static void delete(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private String measure() throws Exception {
    List<BenchModel> models = BenchModel.catalogue(mode, cache, work);
    report.models.addAll(models);
    prepareInputs(models);
    log("starting Bulwark");
    try (BenchServer server = BenchServer.start(work.resolve("data"));
        RawInference raw = new RawInference()) {
      Path key = work.resolve("consumer.key");
      Map<String, byte[]> responses = new HashMap<>();
      for (BenchModel m : models) {
        log("publishing " + m.name());
        server.pushAndApprove(m.name(), "1", m.bytes());
        server.deploy(m.name(), "1");
      }
      server.consumerKeyFile(models.stream().map(BenchModel::name).toList(), key);
      for (BenchModel m : models) {
        responses.put(m.name(), server.infer(m.name(), bodies.get(m.name()).get(JSON), key));
      }
      ScheduledFuture<?> sampling =
          sampler.scheduleAtFixedRate(this::sampleMemory, 0, 500, TimeUnit.MILLISECONDS);
      // One model at a time, its three kinds of rows back to back: on a shared machine, figures
      // that are compared with each other should be taken close together.
      try (NoopServer noop = new NoopServer(work.resolve("data").resolve("tls"), responses)) {
        for (BenchModel m : models) {
          rawInference(raw, m);
          transport(noop, server, m, responses.get(m.name()).length, key);
          endToEnd(server, m, key);
        }
      }
      if (!mode.soak.isZero()) {
        soak(server, models.get(models.size() > 1 ? 1 : 0), key, mode.soak);
      }
      sampling.cancel(false);
      modelOpen(server, raw, models);
    }
    registryOpen();
    auditThroughput();
    log("security pipeline (JMH)");
    report.security.addAll(SecurityPipeline.measure(mode));
    return report.render();
  }

  /** Builds each model's request bodies from its signature as ONNX Runtime reports it. */
  private void prepareInputs(List<BenchModel> models) throws Exception {
    try (RawInference raw = new RawInference()) {
      for (BenchModel m : models) {
        try (LoadedModel loaded = raw.load(m, m.bytes())) {
          List<Tensor> tensors = Inputs.tensors(m, loaded.signature());
          bodies.put(
              m.name(),
              Map.of(
                  JSON, Inputs.json(tensors, work.resolve(m.name() + ".json")),
                  BINARY, Inputs.binary(tensors, work.resolve(m.name() + ".bin"))));
        }
      }
    }
  }

  private void rawInference(RawInference raw, BenchModel m) throws Exception {
    log("raw ONNX Runtime " + m.name());
    int cores = Runtime.getRuntime().availableProcessors();
    try (LoadedModel loaded = raw.load(m, m.bytes())) {
      List<Tensor> tensors = Inputs.tensors(m, loaded.signature());
      String inputs =
          tensors.stream()
              .map(t -> t.name() + " " + t.datatype().wireName() + " " + shape(t.shape()))
              .collect(Collectors.joining(", "));
      for (int threads : cores == 1 ? List.of(1) : List.of(1, cores)) {
        double rate = RawInference.throughput(loaded, tensors, threads, mode.warmup, mode.measure);
        report.raw.add(new Report.Raw(m.name(), inputs, threads, rate));
      }
    }
  }

  private void transport(
      NoopServer noop, BenchServer server, BenchModel m, int responseBytes, Path key)
      throws Exception {
    Inputs.Body body = bodies.get(m.name()).get(JSON);
    for (String http : List.of("1.1", "2")) {
      log("transport " + m.name() + " HTTP/" + http);
      LoadResult r = load(noop.url(m.name()), server, body, key, http, mode.transportConcurrency);
      report.transport.add(
          new Report.Transport(
              m.name(),
              http,
              mode.transportConcurrency,
              (int) Files.size(body.file()),
              responseBytes,
              r));
    }
  }

  private void endToEnd(BenchServer server, BenchModel m, Path key) throws Exception {
    for (String encoding : List.of(JSON, BINARY)) {
      for (int c : mode.concurrencies) {
        log("end to end " + m.name() + " " + encoding + " c=" + c);
        String url = server.url("/v2/models/" + m.name() + "/infer");
        LoadResult r = load(url, server, bodies.get(m.name()).get(encoding), key, "2", c);
        report.endToEnd.add(new Report.EndToEnd(m.name(), encoding, c, r));
      }
    }
  }

  /**
   * Times deploys of the largest model through the API, switching between two approved versions of
   * the same bytes so that every deploy opens a version afresh.
   */
  private void modelOpen(BenchServer server, RawInference raw, List<BenchModel> models)
      throws Exception {
    BenchModel largest =
        models.stream()
            .max(Comparator.comparingLong(m -> m.file().toFile().length()))
            .orElseThrow();
    log("model open " + largest.name());
    byte[] bytes = largest.bytes();
    server.pushAndApprove(largest.name(), "2", bytes);
    long deploy = 0;
    long session = 0;
    long sha = 0;
    MessageDigest.getInstance("SHA-256").digest(bytes);
    raw.load(largest, bytes).close();
    for (int i = 0; i < mode.openRepetitions; i++) {
      long t0 = System.nanoTime();
      server.deploy(largest.name(), i % 2 == 0 ? "2" : "1");
      long t1 = System.nanoTime();
      raw.load(largest, bytes).close();
      long t2 = System.nanoTime();
      MessageDigest.getInstance("SHA-256").digest(bytes);
      long t3 = System.nanoTime();
      deploy += t1 - t0;
      session += t2 - t1;
      sha += t3 - t2;
    }
    double n = mode.openRepetitions * 1e6;
    report.open =
        Optional.of(
            new Report.Open(largest.name(), bytes.length, deploy / n, session / n, 0, sha / n));
  }

  /**
   * Times {@code ModelRegistry.open} (read the blob, unwrap the data key, decrypt and authenticate,
   * compare the SHA-256) on the data directory the server left, through the registry and crypto
   * APIs directly: the part of a deploy that is neither HTTP, signature, session nor bookkeeping.
   */
  private void registryOpen() throws Exception {
    Report.Open o = report.open.orElseThrow();
    Path data = work.resolve("data");
    try (Database db = Database.open(data)) {
      ModelRegistry registry =
          ModelRegistry.open(
              db,
              data.resolve("blobs"),
              ArtifactSealers.tinkStreaming(
                  KeyEncryptionKeys.localKeyset(data.resolve("keys").resolve("kek.json"))),
              Clock.systemUTC());
      registry.open(o.model(), "1");
      long start = System.nanoTime();
      for (int i = 0; i < mode.openRepetitions; i++) {
        registry.open(o.model(), "1");
      }
      double ms = (System.nanoTime() - start) / (mode.openRepetitions * 1e6);
      report.open = Optional.of(o.withDecryptMs(ms));
    }
  }

  private void soak(BenchServer server, BenchModel model, Path key, Duration length)
      throws Exception {
    log("soak " + model.name() + " for " + length);
    List<String> args =
        arguments(
            server.url("/v2/models/" + model.name() + "/infer"),
            server,
            bodies.get(model.name()).get(JSON),
            key,
            "2",
            64);
    args.addAll(List.of("warmup-ms=0", "measure-ms=" + length.toMillis(), "paced=0"));
    List<Report.MemorySample> samples = new CopyOnWriteArrayList<>();
    long started = System.nanoTime();
    // One memory sample per tenth of the soak: a leak shows as a rising live heap (the heap left
    // after the last collection) or RSS from the second sample on.
    long every = Math.max(1, length.toMillis() / 10);
    ScheduledFuture<?> series =
        sampler.scheduleAtFixedRate(
            () ->
                samples.add(
                    new Report.MemorySample(
                        (System.nanoTime() - started) / 1_000_000_000,
                        Machine.rssMiB(),
                        Machine.liveHeapMiB())),
            every,
            every,
            TimeUnit.MILLISECONDS);
    LoadResult r;
    try {
      r = LoadResult.run(args);
    } finally {
      series.cancel(false);
    }
    synchronized (report) {
      report.soak =
          Optional.of(
              new Report.Soak(
                  length, r, report.maxRssMiB, report.maxHeapMiB, List.copyOf(samples)));
    }
  }

  private LoadResult load(
      String url, BenchServer server, Inputs.Body body, Path key, String http, int concurrency)
      throws Exception {
    List<String> args = arguments(url, server, body, key, http, concurrency);
    args.add("warmup-ms=" + mode.warmup.toMillis());
    args.add("measure-ms=" + mode.measure.toMillis());
    return LoadResult.run(args);
  }

  private static List<String> arguments(
      String url, BenchServer server, Inputs.Body body, Path key, String http, int concurrency) {
    return new ArrayList<>(
        List.of(
            "url=" + url,
            "ca=" + server.caCertificate(),
            "key-file=" + key,
            "body=" + body.file(),
            "content-type=" + body.contentType(),
            "header-length=" + body.inferenceHeaderLength(),
            "http=" + http,
            "concurrency=" + concurrency));
  }

  private void sampleMemory() {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    synchronized (report) {
      report.maxRssMiB = Math.max(report.maxRssMiB, Machine.rssMiB());
      report.maxHeapMiB = Math.max(report.maxHeapMiB, heap);
    }
  }

  static final String BEGIN = "<!-- bench:begin (generated by bench/run; edits below are lost) -->";
  static final String END = "<!-- bench:end -->";

  /**
   * Replaces what lies between {@link #BEGIN} and {@link #END} in {@code file} with {@code tables},
   * keeping the prose around them; a file without the markers gets them, with the tables, appended.
   */
  static void writeBetweenMarkers(Path file, String tables) throws java.io.IOException {
    String page = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    String generated = BEGIN + "\n\n" + tables + END;
    String updated =
        begin >= 0 && end > begin
            ? page.substring(0, begin) + generated + page.substring(end + END.length())
            : page + generated + "\n";
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }

  private static String shape(long[] shape) {
    StringBuilder s = new StringBuilder("[");
    for (long d : shape) {
      s.append(s.length() == 1 ? "" : ",").append(d);
    }
    return s.append(']').toString();
  }

  private static void log(String step) {
    System.err.println("bench: " + step);
  }
}
