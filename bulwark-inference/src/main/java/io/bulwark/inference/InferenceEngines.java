package io.bulwark.inference;

import io.bulwark.inference.internal.OnnxRuntimeEngine;

/** Creates {@link InferenceEngine}s. */
public final class InferenceEngines {
  private InferenceEngines() {}

  /**
   * An engine backed by ONNX Runtime (the version on the class path, at least 1.29).
   *
   * <p>Guarantees, beyond those of {@link InferenceEngine}:
   *
   * <ul>
   *   <li>model bytes are handed to ONNX Runtime in memory and never written anywhere;
   *   <li>only the ONNX protobuf format is accepted, and no custom operator library is ever
   *       registered, so a model that names an operator ONNX Runtime lacks fails to load;
   *   <li>external data is never read: a model whose tensors live in external files (wherever the
   *       location points, inside or outside the working directory) fails to load;
   *   <li>a model loads only if every input is a tensor of a type the engine can feed; outputs that
   *       are not tensors (sequences, maps, as in scikit-learn's {@code ZipMap}) are left out of
   *       the signature and never computed for a caller; a model left with no tensor output fails
   *       to load;
   *   <li>{@link LoadedModel#infer} validates the inputs with {@link InputValidator} (without an
   *       element limit: callers apply their own) and checks that dimensions the model names alike
   *       have the same size, before ONNX Runtime sees them.
   * </ul>
   *
   * <p>Load failures are {@link ModelLoadException}s whose message says what is wrong in plain
   * words; ONNX Runtime's own message is kept only in the cause, for the server log. A model name
   * or version that {@link io.bulwark.core.ModelNames} rejects throws {@link
   * io.bulwark.core.InvalidRequestException} before ONNX Runtime sees the bytes.
   *
   * <p>At run time, inputs that pass validation but that ONNX Runtime still refuses (for example
   * shapes that operators cannot broadcast) throw {@link io.bulwark.core.InvalidRequestException};
   * other ONNX Runtime failures throw {@link IllegalStateException}; a call on a closed model
   * throws {@link io.bulwark.core.UnavailableException}.
   *
   * @throws UnsupportedOperationException on a big-endian platform (tensors are little-endian and
   *     ONNX Runtime reads them in native order)
   */
  public static InferenceEngine onnxRuntime(OnnxOptions options) {
    return OnnxRuntimeEngine.create(options);
  }

  /**
   * An engine backed by ONNX Runtime that runs each model with its own {@link ModelSettings}: those
   * {@code settings} name for it, or else the default options without batching. Guarantees as
   * {@link #onnxRuntime(OnnxOptions)}; a model whose settings turn {@link Batching} on also follows
   * that type's rules, and fails to load with a {@link ModelLoadException} if one of its inputs or
   * outputs has no dynamic first dimension.
   *
   * @throws UnsupportedOperationException on a big-endian platform
   */
  public static InferenceEngine onnxRuntime(InferenceSettings settings) {
    return OnnxRuntimeEngine.create(settings);
  }
}
