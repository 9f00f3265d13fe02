package io.bulwark.server.internal.oip;

import io.bulwark.inference.Tensor;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A decoded Open Inference Protocol inference request.
 *
 * <p>Input names are unique, output names are unique, and {@code parameters} holds only {@link
 * String}, {@link Long}, {@link Double} and {@link Boolean} values. Input tensors decoded from
 * binary data may share memory with the request body they came from.
 *
 * @param id the request's {@code id}, to be echoed in the response, or null if it had none
 * @param parameters the request's {@code parameters}, in the order given
 * @param inputs the input tensors, in the order given; never empty
 * @param outputs the outputs asked for, in the order given; empty means all of the model's outputs
 * @param binaryDataOutputDefault the request's {@code binary_data_output} parameter: whether
 *     outputs not named in {@code outputs} are returned as binary data
 */
public record InferenceRequest(
    @Nullable String id,
    Map<String, Object> parameters,
    List<Tensor> inputs,
    List<RequestedOutput> outputs,
    boolean binaryDataOutputDefault) {

  public InferenceRequest {
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("an inference request needs at least one input");
    }
    Set<String> seen = new HashSet<>();
    for (Tensor t : inputs) {
      if (!seen.add(t.name())) {
        throw new IllegalArgumentException("duplicate input name");
      }
    }
    seen.clear();
    for (RequestedOutput o : outputs) {
      if (!seen.add(o.name())) {
        throw new IllegalArgumentException("duplicate output name");
      }
    }
  }

  /** The names of the requested outputs in request order; empty means all outputs. */
  public Set<String> outputNames() {
    Set<String> names = new LinkedHashSet<>();
    for (RequestedOutput o : outputs) {
      names.add(o.name());
    }
    return Collections.unmodifiableSet(names);
  }

  /** Whether the output called {@code outputName} is to be returned as binary data. */
  public boolean wantsBinary(String outputName) {
    for (RequestedOutput o : outputs) {
      if (o.name().equals(outputName)) {
        return o.binaryData();
      }
    }
    return binaryDataOutputDefault;
  }

  /**
   * The names among {@code produced} that the client asked to receive as binary data, ready to pass
   * to {@link OipResponseEncoder#encode}.
   */
  public Set<String> binaryOutputs(List<Tensor> produced) {
    Set<String> names = new HashSet<>();
    for (Tensor t : produced) {
      if (wantsBinary(t.name())) {
        names.add(t.name());
      }
    }
    return Collections.unmodifiableSet(names);
  }
}
