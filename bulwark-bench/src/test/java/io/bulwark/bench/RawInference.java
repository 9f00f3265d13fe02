package io.bulwark.bench;

import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.InferenceEngines;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.OnnxOptions;
import io.bulwark.inference.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limit: ONNX Runtime in this process, through the engine and options the server uses, with no
 * transport, encoding or security around it.
 */
final class RawInference implements AutoCloseable {
  private final InferenceEngine engine = InferenceEngines.onnxRuntime(OnnxOptions.defaults());

  /** Opens a session on {@code bytes}, as a deploy does after decrypting and verifying. */
  LoadedModel load(BenchModel model, byte[] bytes) throws ModelLoadException {
    return engine.load(model.name(), "1", bytes);
  }

  /** Inferences per second of {@code threads} threads calling one session for {@code measure}. */
  static double throughput(
      LoadedModel model, List<Tensor> inputs, int threads, Duration warmup, Duration measure)
      throws InterruptedException {
    run(model, inputs, threads, warmup);
    return run(model, inputs, threads, measure) / (measure.toNanos() / 1e9);
  }

  private static long run(LoadedModel model, List<Tensor> inputs, int threads, Duration time)
      throws InterruptedException {
    long end = System.nanoTime() + time.toNanos();
    AtomicLong done = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (System.nanoTime() < end) {
                      model.infer(inputs, Set.of());
                      done.incrementAndGet();
                    }
                  }));
    }
    for (Thread t : workers) {
      t.join();
    }
    return done.get();
  }

  @Override
  public void close() {
    engine.close();
  }
}
