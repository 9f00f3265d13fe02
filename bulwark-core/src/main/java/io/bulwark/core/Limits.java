package io.bulwark.core;

/**
 * Limits on every input the server accepts. Each has a secure default and a configuration name
 * ({@code limits.*}) that appears in the error a client gets when it exceeds the limit.
 *
 * @param maxRequestBytes largest inference or management request body (not model uploads)
 * @param maxModelBytes largest model artifact accepted by a push
 * @param maxTensorElements most elements in all input tensors of one inference request together
 * @param maxJsonDepth deepest nesting of JSON objects and arrays in a request
 * @param maxHeaderBytes largest total size of request headers
 * @param maxConcurrentInferences most inference calls running at once; more get 503
 */
public record Limits(
    long maxRequestBytes,
    long maxModelBytes,
    long maxTensorElements,
    int maxJsonDepth,
    int maxHeaderBytes,
    int maxConcurrentInferences) {

  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;
  public static final long DEFAULT_MAX_MODEL_BYTES = 1024L * 1024 * 1024;
  public static final long DEFAULT_MAX_TENSOR_ELEMENTS = 4L * 1024 * 1024;
  public static final int DEFAULT_MAX_JSON_DEPTH = 32;
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  public static final int DEFAULT_MAX_CONCURRENT_INFERENCES = 64;

  public Limits {
    positive("limits.max_request_bytes", maxRequestBytes);
    positive("limits.max_model_bytes", maxModelBytes);
    positive("limits.max_tensor_elements", maxTensorElements);
    positive("limits.max_json_depth", maxJsonDepth);
    positive("limits.max_header_bytes", maxHeaderBytes);
    positive("limits.max_concurrent_inferences", maxConcurrentInferences);
    if (maxJsonDepth > 1000) {
      throw new IllegalArgumentException("limits.max_json_depth must be at most 1000");
    }
  }

  public static Limits defaults() {
    return new Limits(
        DEFAULT_MAX_REQUEST_BYTES,
        DEFAULT_MAX_MODEL_BYTES,
        DEFAULT_MAX_TENSOR_ELEMENTS,
        DEFAULT_MAX_JSON_DEPTH,
        DEFAULT_MAX_HEADER_BYTES,
        DEFAULT_MAX_CONCURRENT_INFERENCES);
  }

  public Limits withMaxRequestBytes(long v) {
    return new Limits(
        v, maxModelBytes, maxTensorElements, maxJsonDepth, maxHeaderBytes, maxConcurrentInferences);
  }

  public Limits withMaxModelBytes(long v) {
    return new Limits(
        maxRequestBytes,
        v,
        maxTensorElements,
        maxJsonDepth,
        maxHeaderBytes,
        maxConcurrentInferences);
  }

  public Limits withMaxTensorElements(long v) {
    return new Limits(
        maxRequestBytes, maxModelBytes, v, maxJsonDepth, maxHeaderBytes, maxConcurrentInferences);
  }

  public Limits withMaxJsonDepth(int v) {
    return new Limits(
        maxRequestBytes,
        maxModelBytes,
        maxTensorElements,
        v,
        maxHeaderBytes,
        maxConcurrentInferences);
  }

  public Limits withMaxHeaderBytes(int v) {
    return new Limits(
        maxRequestBytes,
        maxModelBytes,
        maxTensorElements,
        maxJsonDepth,
        v,
        maxConcurrentInferences);
  }

  public Limits withMaxConcurrentInferences(int v) {
    return new Limits(
        maxRequestBytes, maxModelBytes, maxTensorElements, maxJsonDepth, maxHeaderBytes, v);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
