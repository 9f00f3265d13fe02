package io.bulwark.inference;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one model is run.
 *
 * @param onnx the ONNX Runtime session options for the model
 * @param batching dynamic batching, or null for none (each call is its own run)
 */
public record ModelSettings(OnnxOptions onnx, @Nullable Batching batching) {
  public ModelSettings {
    Objects.requireNonNull(onnx, "onnx");
  }

  /** These session options, without batching. */
  public static ModelSettings of(OnnxOptions onnx) {
    return new ModelSettings(onnx, null);
  }

  /** The batching settings, if batching is on. */
  public Optional<Batching> batchingIfOn() {
    return Optional.ofNullable(batching);
  }
}
