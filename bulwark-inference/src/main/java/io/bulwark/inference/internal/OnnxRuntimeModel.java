package io.bulwark.inference.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Strings;
import io.bulwark.core.UnavailableException;
import io.bulwark.inference.InputValidator;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.Tensor;
import io.bulwark.inference.TensorSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One ONNX Runtime session, shared by all calls: ONNX Runtime allows concurrent {@code run}s on a
 * session.
 *
 * <p>{@link #close()} never waits: it marks the model closed, so that new calls fail with {@link
 * UnavailableException}, and the native session is released when the last call still running
 * returns. No call can therefore run on a released session.
 */
final class OnnxRuntimeModel implements LoadedModel {
  private static final long CLOSED = 1;
  private static final long ONE_CALL = 2;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String name;
  private final String version;
  private final ModelSignature signature;
  private final Map<String, List<String>> inputDimensionNames;
  private final Consumer<OnnxRuntimeModel> onRelease;
  private final DirectBuffers inputBuffers = new DirectBuffers();

  /** Bit 0: closed. The rest: twice the number of calls in flight. */
  private final AtomicLong state = new AtomicLong();

  OnnxRuntimeModel(
      OrtEnvironment env,
      OrtSession session,
      String name,
      String version,
      OrtSignature signature,
      Consumer<OnnxRuntimeModel> onRelease) {
    this.env = env;
    this.session = session;
    this.name = name;
    this.version = version;
    this.signature = signature.signature();
    this.inputDimensionNames = signature.inputDimensionNames();
    this.onRelease = onRelease;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public List<Tensor> infer(List<Tensor> inputs, Set<String> outputs) {
    return runChecked(inputs, check(inputs, outputs));
  }

  /**
   * Checks {@code inputs} as {@link #infer} does, and returns the outputs to compute, in order.
   *
   * @throws InvalidRequestException if the inputs do not fit the signature
   */
  Set<String> check(List<Tensor> inputs, Set<String> outputs) {
    InputValidator.validate(signature, inputs, Long.MAX_VALUE);
    checkNamedDimensions(inputs);
    return requestedOutputs(outputs);
  }

  /** The pool this model's input buffers come from. */
  DirectBuffers inputBuffers() {
    return inputBuffers;
  }

  /** Runs inputs that {@link #check} accepted, computing {@code requested} in its order. */
  List<Tensor> runChecked(List<Tensor> inputs, Set<String> requested) {
    acquire();
    try {
      return run(inputs, requested);
    } finally {
      release();
    }
  }

  private List<Tensor> run(List<Tensor> inputs, Set<String> requested) {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    List<ByteBuffer> borrowed = new ArrayList<>(inputs.size());
    try {
      for (Tensor input : inputs) {
        feeds.put(input.name(), OnnxTensors.toOnnx(env, input, inputBuffers, borrowed));
      }
      try (OrtSession.Result result = session.run(feeds, requested)) {
        List<Tensor> out = new ArrayList<>(requested.size());
        for (String output : requested) {
          OnnxValue value =
              result
                  .get(output)
                  .orElseThrow(
                      () -> new IllegalStateException("ONNX Runtime returned no " + output));
          if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("output " + output + " is not a tensor");
          }
          out.add(OnnxTensors.fromOnnx(output, tensor));
        }
        return out;
      }
    } catch (OrtException e) {
      throw runFailure(e);
    } finally {
      OnnxValue.close(feeds.values());
      // Only once every tensor over them is closed may the buffers serve another call.
      borrowed.forEach(inputBuffers::give);
    }
  }

  /**
   * ONNX names a dynamic dimension to say that it has one size throughout a call; ONNX Runtime
   * fails deep inside the graph when inputs disagree on it, so say which inputs disagree instead.
   */
  private void checkNamedDimensions(List<Tensor> inputs) {
    Map<String, Binding> bound = new HashMap<>();
    for (Tensor input : inputs) {
      List<String> names = inputDimensionNames.get(input.name());
      if (names == null) {
        continue;
      }
      long[] shape = input.shape();
      for (int i = 0; i < shape.length && i < names.size(); i++) {
        String dimension = names.get(i);
        if (dimension.isEmpty()) {
          continue;
        }
        Binding first = bound.putIfAbsent(dimension, new Binding(input.name(), i, shape[i]));
        if (first != null && first.size != shape[i]) {
          throw new InvalidRequestException(
              "input '"
                  + Strings.printable(input.name())
                  + "' has size "
                  + shape[i]
                  + " in dimension "
                  + i
                  + ", but input '"
                  + Strings.printable(first.input)
                  + "' has size "
                  + first.size
                  + " in dimension "
                  + first.index
                  + "; the model requires them to be equal (both are '"
                  + Strings.printable(dimension)
                  + "')");
        }
      }
    }
  }

  private record Binding(String input, int index, long size) {}

  private Set<String> requestedOutputs(Set<String> outputs) {
    Set<String> requested = new LinkedHashSet<>();
    if (outputs.isEmpty()) {
      for (TensorSpec spec : signature.outputs()) {
        requested.add(spec.name());
      }
      return requested;
    }
    for (String output : outputs) {
      if (signature.output(output).isEmpty()) {
        throw new InvalidRequestException("unknown output '" + Strings.printable(output) + "'");
      }
      requested.add(output);
    }
    return requested;
  }

  private RuntimeException runFailure(OrtException e) {
    return switch (e.getCode()) {
      // The signature accepted the inputs, so what ONNX Runtime rejects is their combination.
      case ORT_INVALID_ARGUMENT, ORT_FAIL ->
          new InvalidRequestException(
              "model '" + name + "' version '" + version + "' cannot run on these inputs", e);
      default ->
          new IllegalStateException(
              "model '" + name + "' version '" + version + "' failed to run: " + e.getCode(), e);
    };
  }

  private void acquire() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) {
        throw new UnavailableException(
            "model '" + name + "' version '" + version + "' is no longer loaded");
      }
      if (state.compareAndSet(s, s + ONE_CALL)) {
        return;
      }
    }
  }

  private void release() {
    if (state.addAndGet(-ONE_CALL) == CLOSED) {
      releaseSession();
    }
  }

  @Override
  public void close() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) {
        return;
      }
      if (state.compareAndSet(s, s | CLOSED)) {
        if (s == 0) {
          releaseSession();
        }
        return;
      }
    }
  }

  boolean isClosed() {
    return (state.get() & CLOSED) != 0;
  }

  private void releaseSession() {
    try {
      session.close();
    } catch (OrtException e) {
      // Nothing can use the session any more; a failure to free it leaks memory, nothing else.
      throw new IllegalStateException("cannot release the session of model '" + name + "'", e);
    } finally {
      onRelease.accept(this);
    }
  }

  /** A model's signature, plus the names ONNX gives its inputs' dynamic dimensions. */
  record OrtSignature(ModelSignature signature, Map<String, List<String>> inputDimensionNames) {
    OrtSignature {
      inputDimensionNames = Map.copyOf(inputDimensionNames);
    }
  }

  @Override
  public String toString() {
    return "OnnxRuntimeModel[" + name + ", " + version + "]";
  }
}
