package io.bulwark.inference;

import io.bulwark.core.ModelNames;
import io.bulwark.core.Strings;
import java.util.Map;
import java.util.Objects;

/**
 * How an {@linkplain InferenceEngines#onnxRuntime(InferenceSettings) ONNX Runtime engine} runs the
 * models it loads: options for every model, and settings for models named one by one.
 *
 * @param defaults the session options of a model not named in {@code perModel}; such a model is
 *     never batched
 * @param perModel settings by model name (as {@link InferenceEngine#load} is given it), for every
 *     version of that model
 */
public record InferenceSettings(OnnxOptions defaults, Map<String, ModelSettings> perModel) {
  public InferenceSettings {
    Objects.requireNonNull(defaults, "defaults");
    perModel = Map.copyOf(perModel);
    for (String name : perModel.keySet()) {
      if (!ModelNames.isValidName(name)) {
        throw new IllegalArgumentException(
            "'" + Strings.printable(name) + "' is not a valid model name");
      }
    }
  }

  /** The same options for every model, none batched. */
  public static InferenceSettings of(OnnxOptions defaults) {
    return new InferenceSettings(defaults, Map.of());
  }

  /** The settings of the model called {@code modelName}. */
  public ModelSettings forModel(String modelName) {
    ModelSettings settings = perModel.get(modelName);
    return settings != null ? settings : ModelSettings.of(defaults);
  }
}
