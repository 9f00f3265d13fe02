package io.bulwark.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.inference.InferenceEngine;
import io.bulwark.inference.LoadedModel;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.TensorSpec;
import io.bulwark.registry.ArtifactInspector;
import java.util.List;

/**
 * Admits an ONNX artifact only if ONNX Runtime loads it from memory, and records its signature
 * (inputs and outputs) as the version's metadata.
 */
public final class OnnxAdmission {
  private final InferenceEngine engine;
  private final Json json;

  public OnnxAdmission(InferenceEngine engine, Json json) {
    this.engine = engine;
    this.json = json;
  }

  /** The inspector for one push of {@code name}/{@code version}. */
  public ArtifactInspector forVersion(String name, String version) {
    return plaintext -> {
      try (LoadedModel m = engine.load(name, version, plaintext)) {
        return json.write(signatureJson(json, m.signature()));
      } catch (ModelLoadException e) {
        throw new InvalidRequestException("not a loadable ONNX model: " + e.getMessage(), e);
      }
    };
  }

  static ObjectNode signatureJson(Json json, ModelSignature sig) {
    ObjectNode o = json.object();
    tensorSpecs(o.putArray("inputs"), sig.inputs());
    tensorSpecs(o.putArray("outputs"), sig.outputs());
    return o;
  }

  static void tensorSpecs(ArrayNode arr, List<TensorSpec> specs) {
    for (TensorSpec s : specs) {
      ObjectNode t = arr.addObject().put("name", s.name()).put("datatype", s.datatype().wireName());
      ArrayNode shape = t.putArray("shape");
      s.shape().forEach(shape::add);
    }
  }
}
