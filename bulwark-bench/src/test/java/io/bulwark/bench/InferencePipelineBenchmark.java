package io.bulwark.bench;

import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditLog;
import io.bulwark.audit.AuditLogConfig;
import io.bulwark.demo.DemoModel;
import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.InferenceEngines;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import io.bulwark.security.AuthenticationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The whole inference pipeline in process, timed per call: {@code BulwarkServer.inferInProcess} on
 * the demo model, which is everything the {@code infer} route does once a request has arrived (API
 * key authentication, the audit log's availability, authorisation by the policy in force, rate
 * limits, decoding and validation, the model, encoding, both digests, and the durable audit record
 * before the answer). Beside it, to take apart what the pipeline adds: the same model called
 * directly, and one durable audit append on a log of its own in the same file system.
 */
public class InferencePipelineBenchmark {

  /** A running server serving the demo model, and a consumer key granted it. */
  @State(Scope.Benchmark)
  public static class Served {
    private Path dir;
    private BenchServer server;
    private String apiKey;
    private byte[] body;

    @Setup
    public void setUp() throws Exception {
      dir = Files.createTempDirectory("bulwark-bench-pipeline");
      server = BenchServer.start(dir.resolve("data"));
      byte[] onnx = DemoModel.onnxBytes();
      server.pushAndApprove(DemoModel.name(), "1", onnx);
      server.deploy(DemoModel.name(), "1");
      apiKey = server.consumerKey(List.of(DemoModel.name()));
      try (Model model = new Model()) {
        model.setUp();
        body = Files.readAllBytes(Inputs.json(model.tensors, dir.resolve("body.json")).file());
      }
    }

    @TearDown
    public void tearDown() throws Exception {
      server.close();
      delete(dir);
    }
  }

  /** The demo model loaded by an engine of its own, and an input for it. */
  @State(Scope.Benchmark)
  public static class Model implements AutoCloseable {
    private InferenceEngine engine;
    private LoadedModel model;
    private List<Tensor> tensors;

    @Setup
    public void setUp() throws Exception {
      engine = InferenceEngines.onnxRuntime(OnnxOptions.defaults());
      model = engine.load(DemoModel.name(), "1", DemoModel.onnxBytes());
      BenchModel demo =
          new BenchModel(DemoModel.name(), Path.of("demo.onnx"), "", "", "", Map.of());
      tensors = Inputs.tensors(demo, model.signature());
    }

    @TearDown
    @Override
    public void close() {
      model.close();
      engine.close();
    }
  }

  /** An audit log of its own in a fresh directory. */
  @State(Scope.Benchmark)
  public static class Audit {
    private Path dir;
    private AuditLog log;
    private AuditEvent event;

    @Setup
    public void setUp() throws Exception {
      dir = Files.createTempDirectory("bulwark-bench-audit");
      log = AuditLog.open(AuditLogConfig.of(dir));
      event = AuditThroughput.inferenceEvent();
    }

    @TearDown
    public void tearDown() throws Exception {
      log.close();
      delete(dir);
    }
  }

  private static void delete(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One caller at a time: every call waits for its own audit flush. */
  @Benchmark
  public byte[] pipeline(Served s) throws AuthenticationException {
    return s.server.server().inferInProcess(s.apiKey, DemoModel.name(), s.body, null);
  }

  /** Sixteen callers at once: their audit records share flushes (group commit). */
  @Benchmark
  @Threads(16)
  public byte[] pipeline16(Served s) throws AuthenticationException {
    return s.server.server().inferInProcess(s.apiKey, DemoModel.name(), s.body, null);
  }

  /** The model alone, as the pipeline calls it. */
  @Benchmark
  public List<Tensor> modelCall(Model m) {
    return m.model.infer(m.tensors, Set.of());
  }

  /** One durable audit record of an inference's shape, alone. */
  @Benchmark
  public long auditAppend(Audit a) {
    return a.log.append(a.event);
  }
}
