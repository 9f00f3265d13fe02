package io.bulwark.inference.internal;

import io.bulwark.demo.DemoModel;
import io.bulwark.inference.Batching;
import io.bulwark.inference.DataType;
import io.bulwark.inference.InferenceSettings;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelSettings;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import io.bulwark.inference.TensorSpec;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A standalone measurement, not a test: calls per second of one model at a fixed concurrency, on
 * virtual threads as the server calls it, without batching and with a few batching settings.
 * Single-row calls, as online inference sends them.
 *
 * <p>Run with {@code java -cp <test-classes>:<classes>:<dependencies>
 * io.bulwark.inference.internal.BatchingThroughput [concurrency] [seconds] [extra.onnx...]}.
 */
final class BatchingThroughput {
  private BatchingThroughput() {}

  public static void main(String[] args) throws Exception {
    int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<Path> extra = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      extra.add(Path.of(args[i]));
    }
    measure("demo", DemoModel.onnxBytes(), concurrency, seconds);
    for (Path p : extra) {
      if (Files.isRegularFile(p)) {
        measure("extra", Files.readAllBytes(p), concurrency, seconds);
      } else {
        System.out.println(p + ": absent, skipped");
      }
    }
  }

  private static void measure(String name, byte[] bytes, int concurrency, int seconds)
      throws Exception {
    System.out.printf(
        "%s: %d bytes, concurrency %d, %d s per setting, load average %.2f%n",
        name,
        bytes.length,
        concurrency,
        seconds,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    List<Batching> settings = new ArrayList<>();
    settings.add(null);
    settings.add(new Batching(8, 1000));
    settings.add(new Batching(32, 1000));
    settings.add(new Batching(32, 5000));
    for (Batching batching : settings) {
      InferenceSettings s =
          new InferenceSettings(
              OnnxOptions.defaults(),
              Map.of(name, new ModelSettings(OnnxOptions.defaults(), batching)));
      try (OnnxRuntimeEngine engine = OnnxRuntimeEngine.create(s);
          LoadedModel model = engine.load(name, "1", bytes)) {
        List<List<Tensor>> inputs = new ArrayList<>();
        Random random = new Random(1);
        for (int i = 0; i < 64; i++) {
          inputs.add(inputsFor(model, random));
        }
        run(model, inputs, concurrency, 2);
        long startNanos = System.nanoTime();
        long[] latencies = run(model, inputs, concurrency, seconds);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        long calls = latencies.length;
        java.util.Arrays.sort(latencies);
        System.out.printf(
            "  %-40s %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  (load %.2f)%n",
            batching == null
                ? "unbatched"
                : "batched max "
                    + batching.maxBatchSize()
                    + ", delay "
                    + batching.maxQueueDelayMicros()
                    + " us",
            calls / elapsed,
            latencies[(int) (calls * 0.50)] / 1e6,
            latencies[(int) Math.min(calls - 1, (long) (calls * 0.99))] / 1e6,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
    }
  }

  private static long[] run(LoadedModel model, List<List<Tensor>> inputs, int threads, int seconds)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder count = new LongAdder();
    List<long[]> perThread = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        futures.add(
            pool.submit(
                () -> {
                  long[] lat = new long[1 << 20];
                  int n = 0;
                  for (int i = offset; !stop.get(); i++) {
                    long t0 = System.nanoTime();
                    model.infer(inputs.get(i % inputs.size()), Set.of());
                    if (n < lat.length) {
                      lat[n++] = System.nanoTime() - t0;
                    }
                    count.increment();
                  }
                  return java.util.Arrays.copyOf(lat, n);
                }));
      }
      TimeUnit.SECONDS.sleep(seconds);
      stop.set(true);
      for (Future<long[]> f : futures) {
        perThread.add(f.get());
      }
    }
    int total = 0;
    for (long[] l : perThread) {
      total += l.length;
    }
    long[] all = new long[total];
    int at = 0;
    for (long[] l : perThread) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    return all;
  }

  /** One row of plausible inputs: token ids, a full attention mask, zeros, or random floats. */
  private static List<Tensor> inputsFor(LoadedModel model, Random random) {
    List<Tensor> out = new ArrayList<>();
    for (TensorSpec spec : model.signature().inputs()) {
      long[] shape = new long[spec.shape().size()];
      for (int i = 0; i < shape.length; i++) {
        long d = spec.shape().get(i);
        shape[i] = d >= 0 ? d : (i == 0 ? 1 : 16);
      }
      int n = (int) Tensor.elementCount(shape);
      if (spec.datatype() == DataType.INT64) {
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
          long v =
              spec.name().contains("mask")
                  ? 1
                  : spec.name().contains("ids") && !spec.name().contains("type")
                      ? 1000 + random.nextInt(1000)
                      : 0;
          b.putLong(v);
        }
        b.flip();
        out.add(Tensor.ofFixed(spec.name(), DataType.INT64, shape, b));
      } else if (spec.datatype() == DataType.FP32) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
          b.putFloat(random.nextFloat() * 4);
        }
        b.flip();
        out.add(Tensor.ofFixed(spec.name(), DataType.FP32, shape, b));
      } else {
        throw new IllegalArgumentException("no generator for " + spec);
      }
    }
    return out;
  }
}
