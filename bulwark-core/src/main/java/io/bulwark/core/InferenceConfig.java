package io.bulwark.core;

import java.util.Map;
import java.util.Objects;

/**
 * How the server runs models: ONNX Runtime session options for every model, and per model name its
 * own options and dynamic batching. Plain values, so that the core module needs no inference
 * library; the server turns them into the inference engine's settings.
 *
 * @param onnx the session options of every model not named in {@code models}, and the base of those
 *     that are
 * @param models settings by model name, for every version of that model
 */
public record InferenceConfig(Session onnx, Map<String, Model> models) {
  /** The most threads either ONNX Runtime pool may be given. */
  public static final int MAX_THREADS = 1024;

  /** The fewest rows a batch may be limited to: one row is no batching at all. */
  public static final int MIN_BATCH_SIZE = 2;

  /** The most rows one batched run may hold. */
  public static final int MAX_BATCH_SIZE = 1024;

  /** The longest a call may wait for others to join its batch: 100 ms. */
  public static final long MAX_QUEUE_DELAY_MICROS = 100_000;

  public InferenceConfig {
    Objects.requireNonNull(onnx, "onnx");
    models = Map.copyOf(models);
    for (String name : models.keySet()) {
      if (!ModelNames.isValidName(name)) {
        throw new IllegalArgumentException(
            "inference.models: '" + Strings.printable(name) + "' is not a valid model name");
      }
    }
  }

  /** ONNX Runtime's own thread choices, all graph optimizations, the memory arena, no batching. */
  public static InferenceConfig defaults() {
    return new InferenceConfig(Session.defaults(), Map.of());
  }

  /** How much ONNX Runtime rewrites a graph when it loads it. */
  public enum GraphOptimization {
    NONE,
    BASIC,
    EXTENDED,
    ALL
  }

  /**
   * ONNX Runtime session options.
   *
   * @param intraOpThreads threads one operator may use; 0 lets ONNX Runtime choose
   * @param interOpThreads threads that run independent operators in parallel; 0 or 1 runs them one
   *     after another
   * @param graphOptimization how much the graph is rewritten at load
   * @param memoryArena whether freed memory is kept for reuse
   */
  public record Session(
      int intraOpThreads,
      int interOpThreads,
      GraphOptimization graphOptimization,
      boolean memoryArena) {
    public Session {
      checkThreads("intra_op_threads", intraOpThreads);
      checkThreads("inter_op_threads", interOpThreads);
      Objects.requireNonNull(graphOptimization, "graphOptimization");
    }

    public static Session defaults() {
      return new Session(0, 0, GraphOptimization.ALL, true);
    }

    private static void checkThreads(String name, int value) {
      if (value < 0 || value > MAX_THREADS) {
        throw new IllegalArgumentException(name + " must be 0-" + MAX_THREADS + ", was " + value);
      }
    }
  }

  /**
   * One model's settings.
   *
   * @param session its session options
   * @param maxBatchSize the most rows one batched run holds, {@value #MIN_BATCH_SIZE} to {@value
   *     #MAX_BATCH_SIZE}; 0 turns batching off
   * @param maxQueueDelayMicros how long a call may wait for others to join it, 0 to {@value
   *     #MAX_QUEUE_DELAY_MICROS}; 0 when batching is off
   */
  public record Model(Session session, int maxBatchSize, long maxQueueDelayMicros) {
    public Model {
      Objects.requireNonNull(session, "session");
      if (maxBatchSize != 0 && (maxBatchSize < MIN_BATCH_SIZE || maxBatchSize > MAX_BATCH_SIZE)) {
        throw new IllegalArgumentException(
            "batching.max_batch_size must be "
                + MIN_BATCH_SIZE
                + "-"
                + MAX_BATCH_SIZE
                + ", was "
                + maxBatchSize);
      }
      if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > MAX_QUEUE_DELAY_MICROS) {
        throw new IllegalArgumentException(
            "batching.max_queue_delay_us must be 0-"
                + MAX_QUEUE_DELAY_MICROS
                + ", was "
                + maxQueueDelayMicros);
      }
      if (maxBatchSize == 0 && maxQueueDelayMicros != 0) {
        throw new IllegalArgumentException("a queue delay needs batching on");
      }
    }

    /** These session options, without batching. */
    public static Model unbatched(Session session) {
      return new Model(session, 0, 0);
    }

    public boolean batching() {
      return maxBatchSize != 0;
    }
  }
}
