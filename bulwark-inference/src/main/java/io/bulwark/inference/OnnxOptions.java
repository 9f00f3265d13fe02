package io.bulwark.inference;

/**
 * How ONNX Runtime runs the models an {@linkplain InferenceEngines#onnxRuntime(OnnxOptions) ONNX
 * Runtime engine} loads: for every session the engine creates, or, through {@link
 * InferenceSettings}, for the sessions of one model.
 *
 * @param intraOpThreads threads one operator may use; {@code 0} lets ONNX Runtime choose (one per
 *     physical core)
 * @param interOpThreads threads that run independent operators in parallel; {@code 0} or {@code 1}
 *     runs operators one after another (the default, and usually fastest for small models)
 * @param graphOptimization how much ONNX Runtime rewrites the graph when it loads a model
 * @param memoryArena whether ONNX Runtime keeps freed CPU memory in an arena for reuse (faster, but
 *     memory once used is not returned to the system while the model is loaded)
 */
public record OnnxOptions(
    int intraOpThreads,
    int interOpThreads,
    GraphOptimization graphOptimization,
    boolean memoryArena) {

  /** The most threads either pool may be given. */
  public static final int MAX_THREADS = 1024;

  public OnnxOptions {
    checkThreads("intraOpThreads", intraOpThreads);
    checkThreads("interOpThreads", interOpThreads);
  }

  /** ONNX Runtime's thread defaults, all graph optimizations, and the memory arena on. */
  public static OnnxOptions defaults() {
    return new OnnxOptions(0, 0, GraphOptimization.ALL, true);
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** A builder that starts from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Graph optimization levels, as ONNX Runtime defines them. */
  public enum GraphOptimization {
    /** No rewriting. */
    NONE,
    /** Semantics-preserving rewrites such as constant folding and redundant node removal. */
    BASIC,
    /** Also operator fusions. */
    EXTENDED,
    /** Also layout optimizations. */
    ALL
  }

  /** Builds {@link OnnxOptions}; {@link #build()} validates. */
  public static final class Builder {
    private int intraOpThreads;
    private int interOpThreads;
    private GraphOptimization graphOptimization;
    private boolean memoryArena;

    private Builder(OnnxOptions from) {
      this.intraOpThreads = from.intraOpThreads;
      this.interOpThreads = from.interOpThreads;
      this.graphOptimization = from.graphOptimization;
      this.memoryArena = from.memoryArena;
    }

    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    public Builder interOpThreads(int threads) {
      this.interOpThreads = threads;
      return this;
    }

    public Builder graphOptimization(GraphOptimization level) {
      this.graphOptimization = level;
      return this;
    }

    public Builder memoryArena(boolean enabled) {
      this.memoryArena = enabled;
      return this;
    }

    /**
     * Returns the options.
     *
     * @throws IllegalArgumentException if a thread count is negative or above {@link #MAX_THREADS}
     */
    public OnnxOptions build() {
      return new OnnxOptions(intraOpThreads, interOpThreads, graphOptimization, memoryArena);
    }
  }

  private static void checkThreads(String name, int value) {
    if (value < 0 || value > MAX_THREADS) {
      throw new IllegalArgumentException(
          name + " must be between 0 and " + MAX_THREADS + ", was " + value);
    }
  }
}
