package io.bulwark.inference.internal;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.bulwark.core.Strings;
import io.bulwark.inference.DataType;
import io.bulwark.inference.ModelLoadException;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link ModelSignature} from an ONNX Runtime session.
 *
 * <p>Inputs must all be tensors of a type {@link OnnxTypes#dataType} maps. Outputs that are not
 * tensors (sequences and maps, such as the {@code ZipMap} output of scikit-learn or Tribuo
 * classifiers) are left out: the server returns tensors only, and leaving them out lets a
 * classifier's plain tensor outputs be served. A model with no tensor output is refused.
 */
final class OrtSignatures {
  private OrtSignatures() {}

  static OnnxRuntimeModel.OrtSignature extract(OrtSession session)
      throws ModelLoadException, OrtException {
    List<TensorSpec> inputs = new ArrayList<>();
    Map<String, List<String>> dimensionNames = new HashMap<>();
    for (NodeInfo node : session.getInputInfo().values()) {
      if (!(node.getInfo() instanceof TensorInfo tensor)) {
        throw new ModelLoadException(
            "input '"
                + Strings.printable(node.getName())
                + "' is a "
                + kind(node.getInfo())
                + ", not a tensor; Bulwark serves models whose inputs are all tensors");
      }
      inputs.add(spec("input", node.getName(), tensor));
      dimensionNames.put(node.getName(), Arrays.asList(tensor.getDimensionNames()));
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (NodeInfo node : session.getOutputInfo().values()) {
      if (node.getInfo() instanceof TensorInfo tensor) {
        outputs.add(spec("output", node.getName(), tensor));
      }
    }
    if (outputs.isEmpty()) {
      throw new ModelLoadException(
          "the model has no tensor output; Bulwark returns tensors only (sequence and map outputs"
              + " are not served)");
    }
    return new OnnxRuntimeModel.OrtSignature(new ModelSignature(inputs, outputs), dimensionNames);
  }

  private static TensorSpec spec(String role, String name, TensorInfo tensor)
      throws ModelLoadException {
    DataType type =
        OnnxTypes.dataType(tensor.onnxType)
            .orElseThrow(
                () ->
                    new ModelLoadException(
                        role
                            + " '"
                            + Strings.printable(name)
                            + "' has element type "
                            + OnnxTypes.onnxName(tensor.onnxType)
                            + ", which ONNX Runtime's Java API cannot handle; Bulwark cannot"
                            + " serve this model"));
    List<Long> shape = new ArrayList<>();
    for (long d : tensor.getShape()) {
      // ONNX Runtime reports named and unknown dimensions alike as -1.
      shape.add(d < 0 ? -1 : d);
    }
    return new TensorSpec(name, type, shape);
  }

  private static String kind(ValueInfo info) {
    if (info instanceof SequenceInfo) {
      return "sequence";
    }
    if (info instanceof MapInfo) {
      return "map";
    }
    return "non-tensor value";
  }
}
