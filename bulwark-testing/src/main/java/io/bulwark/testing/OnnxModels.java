package io.bulwark.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Locale;

/**
 * Small ONNX models built in code, returned as serialized {@code ModelProto} bytes.
 *
 * <p>Every model uses IR version 8 and the default operator set 17 (plus {@code ai.onnx.ml} 3 where
 * a model needs it), so any ONNX Runtime from 1.14 on loads those that are valid. In shapes, {@link
 * #DYNAMIC} ({@code -1}) marks a dimension of any size; it is written as a named dimension ({@code
 * dim0}, {@code dim1}, ...), as exporters do.
 */
public final class OnnxModels {
  /** A dimension of any size. */
  public static final long DYNAMIC = -1;

  static final long IR_VERSION = 8;
  static final long OPSET = 17;
  static final long ML_OPSET = 3;
  static final String PRODUCER = "bulwark-testing";

  private OnnxModels() {}

  /**
   * {@code y = Identity(x)}: input {@code x} and output {@code y}, both of {@code type} and {@code
   * shape}.
   */
  public static byte[] identity(OnnxElementType type, long... shape) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("identity")
            .addNode(node("Identity", List.of("x"), List.of("y")))
            .addInput(tensorValue("x", type, shape))
            .addOutput(tensorValue("y", type, shape))
            .build();
    return model(graph, false);
  }

  /**
   * Two FP32 inputs {@code a} and {@code b} of shape {@code [-1, 3]} and two outputs of the same
   * shape: {@code sum = a + b} and {@code difference = a - b}, in that order.
   */
  public static byte[] addAndSubtract() {
    long[] shape = {DYNAMIC, 3};
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("add_and_subtract")
            .addNode(node("Add", List.of("a", "b"), List.of("sum")))
            .addNode(node("Sub", List.of("a", "b"), List.of("difference")))
            .addInput(tensorValue("a", OnnxElementType.FLOAT, shape))
            .addInput(tensorValue("b", OnnxElementType.FLOAT, shape))
            .addOutput(tensorValue("sum", OnnxElementType.FLOAT, shape))
            .addOutput(tensorValue("difference", OnnxElementType.FLOAT, shape))
            .build();
    return model(graph, false);
  }

  /**
   * A deliberately slow model: {@code y = x · W · W · ... · W} ({@code repeats} products), with
   * {@code x} FP32 {@code [-1, n]} and {@code W} an {@code n × n} initializer of 1/n (so values
   * stay bounded). For tests that need a request to stay in flight, such as graceful shutdown and
   * concurrency limits; with n = 512 and 8 repeats one row takes milliseconds, many rows longer.
   */
  public static byte[] slowMatMul(int n, int repeats) {
    if (n < 1 || repeats < 1) {
      throw new IllegalArgumentException("n and repeats must be positive");
    }
    java.nio.ByteBuffer w =
        java.nio.ByteBuffer.allocate(n * n * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n * n; i++) {
      w.putFloat(1.0f / n);
    }
    TensorProto weights =
        TensorProto.newBuilder()
            .setName("w")
            .setDataType(OnnxElementType.FLOAT.code())
            .addDims(n)
            .addDims(n)
            .setRawData(ByteString.copyFrom(w.array()))
            .build();
    GraphProto.Builder graph =
        GraphProto.newBuilder().setName("slow_matmul").addInitializer(weights);
    String previous = "x";
    for (int i = 0; i < repeats; i++) {
      String next = i == repeats - 1 ? "y" : "h" + i;
      graph.addNode(
          node("MatMul", List.of(previous, "w"), List.of(next)).toBuilder().setName("matmul" + i));
      previous = next;
    }
    graph
        .addInput(tensorValue("x", OnnxElementType.FLOAT, DYNAMIC, n))
        .addOutput(tensorValue("y", OnnxElementType.FLOAT, DYNAMIC, n));
    return model(graph.build(), false);
  }

  /**
   * An identity model whose input is {@code uint32} of shape {@code [-1]}: valid ONNX that ONNX
   * Runtime's Java API cannot feed.
   */
  public static byte[] uint32Input() {
    return identity(OnnxElementType.UINT32, DYNAMIC);
  }

  /**
   * {@code y = x + w}, where {@code x} and {@code y} are FP32 {@code [4]} and the initializer
   * {@code w} (FP32 {@code [4]}, 16 bytes) is stored as external data at {@code location}, for
   * example {@code "../../etc/passwd"}. A loader that follows the location would read that file
   * into the model's weights.
   */
  public static byte[] externalData(String location) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("external_data")
            .addNode(node("Add", List.of("x", "w"), List.of("y")))
            .addInitializer(externalWeights(location))
            .addInput(tensorValue("x", OnnxElementType.FLOAT, 4))
            .addOutput(tensorValue("y", OnnxElementType.FLOAT, 4))
            .build();
    return model(graph, false);
  }

  /**
   * Like {@link #externalData(String)}, but the external tensor is the {@code value} attribute of a
   * {@code Constant} node rather than an initializer: {@code y = x + Constant()}.
   */
  public static byte[] externalDataInConstant(String location) {
    NodeProto constant =
        node("Constant", List.of(), List.of("w")).toBuilder()
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("value")
                    .setType(AttributeProto.AttributeType.TENSOR)
                    .setT(externalWeights(location)))
            .build();
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("external_data_in_constant")
            .addNode(constant)
            .addNode(node("Add", List.of("x", "w"), List.of("y")))
            .addInput(tensorValue("x", OnnxElementType.FLOAT, 4))
            .addOutput(tensorValue("y", OnnxElementType.FLOAT, 4))
            .build();
    return model(graph, false);
  }

  private static TensorProto externalWeights(String location) {
    return TensorProto.newBuilder()
        .setName("w")
        .setDataType(OnnxElementType.FLOAT.code())
        .addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", location))
        .addExternalData(entry("offset", "0"))
        .addExternalData(entry("length", "16"))
        .build();
  }

  /** {@link #externalData(String)} with the location {@code ../../etc/passwd}. */
  public static byte[] externalDataPathTraversal() {
    return externalData("../../etc/passwd");
  }

  /**
   * A classifier-style model with one tensor output and one non-tensor output, as scikit-learn and
   * other exporters produce: input {@code probabilities} FP32 {@code [-1, 2]}; outputs {@code
   * label_scores} (FP32 {@code [-1, 2]}, a copy of the input) and {@code zipmap} (a sequence of
   * maps from the class names {@code "no"} and {@code "yes"} to FP32, made by {@code
   * ai.onnx.ml.ZipMap}).
   */
  public static byte[] zipMapOutput() {
    long[] shape = {DYNAMIC, 2};
    NodeProto zipMap =
        node("ZipMap", List.of("probabilities"), List.of("zipmap")).toBuilder()
            .setDomain("ai.onnx.ml")
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("classlabels_strings")
                    .setType(AttributeProto.AttributeType.STRINGS)
                    .addStrings(ByteString.copyFromUtf8("no"))
                    .addStrings(ByteString.copyFromUtf8("yes")))
            .build();
    TypeProto mapType =
        TypeProto.newBuilder()
            .setMapType(
                TypeProto.Map.newBuilder()
                    .setKeyType(OnnxElementType.STRING.code())
                    .setValueType(tensorType(OnnxElementType.FLOAT)))
            .build();
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("zipmap_output")
            .addNode(node("Identity", List.of("probabilities"), List.of("label_scores")))
            .addNode(zipMap)
            .addInput(tensorValue("probabilities", OnnxElementType.FLOAT, shape))
            .addOutput(tensorValue("label_scores", OnnxElementType.FLOAT, shape))
            .addOutput(
                ValueInfoProto.newBuilder()
                    .setName("zipmap")
                    .setType(
                        TypeProto.newBuilder()
                            .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(mapType))))
            .build();
    return model(graph, true);
  }

  /**
   * A model whose only output is not a tensor: input {@code x} FP32 {@code [-1]}, output {@code
   * seq} = {@code SequenceConstruct(x)}, a sequence of FP32 tensors.
   */
  public static byte[] sequenceOutputOnly() {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("sequence_output")
            .addNode(node("SequenceConstruct", List.of("x"), List.of("seq")))
            .addInput(tensorValue("x", OnnxElementType.FLOAT, DYNAMIC))
            .addOutput(sequenceValue("seq", OnnxElementType.FLOAT))
            .build();
    return model(graph, false);
  }

  /**
   * A model whose input is not a tensor: input {@code seq}, a sequence of FP32 tensors; output
   * {@code length} = {@code SequenceLength(seq)}, an INT64 scalar.
   */
  public static byte[] sequenceInput() {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("sequence_input")
            .addNode(node("SequenceLength", List.of("seq"), List.of("length")))
            .addInput(sequenceValue("seq", OnnxElementType.FLOAT))
            .addOutput(tensorValue("length", OnnxElementType.INT64))
            .build();
    return model(graph, false);
  }

  /**
   * A model that calls the operator {@code Backdoor} from the domain {@code com.example.evil},
   * which only a custom operator library could provide: input {@code x} and output {@code y}, FP32
   * {@code [-1]}.
   */
  public static byte[] customOperator() {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("custom_operator")
            .addNode(
                node("Backdoor", List.of("x"), List.of("y")).toBuilder()
                    .setDomain("com.example.evil")
                    .build())
            .addInput(tensorValue("x", OnnxElementType.FLOAT, DYNAMIC))
            .addOutput(tensorValue("y", OnnxElementType.FLOAT, DYNAMIC))
            .build();
    return modelBuilder(graph, false)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example.evil").setVersion(1))
        .build()
        .toByteArray();
  }

  /**
   * {@code y = Unique(x)}: input {@code x} FP32 {@code [-1, columns]}, output {@code y} FP32 {@code
   * [-1]}, the distinct elements of {@code x} in ascending order. Both first dimensions look like a
   * batch, but the output's length depends on the values, not on the rows: a model that does not
   * keep its first dimension as the batch.
   */
  public static byte[] uniqueValues(int columns) {
    ValueInfoProto output = tensorValue("y", OnnxElementType.FLOAT, DYNAMIC);
    TypeProto.Tensor.Builder type = output.getType().getTensorType().toBuilder();
    type.setShape(
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("distinct")));
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("unique_values")
            .addNode(node("Unique", List.of("x"), List.of("y")))
            .addInput(tensorValue("x", OnnxElementType.FLOAT, DYNAMIC, columns))
            .addOutput(
                output.toBuilder().setType(TypeProto.newBuilder().setTensorType(type)).build())
            .build();
    return model(graph, false);
  }

  /**
   * {@code y = Gather(table, ids)}: input {@code ids} INT64 {@code [-1]}, output {@code y} FP32
   * {@code [-1, 2]}, where row {@code i} of the 4-row table is {@code [10 i, 10 i + 1]}. An id
   * outside 0-3 (or -4 to -1) makes ONNX Runtime fail the run: a value, not a shape, that is
   * invalid.
   */
  public static byte[] lookup() {
    java.nio.ByteBuffer t =
        java.nio.ByteBuffer.allocate(4 * 2 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4; i++) {
      t.putFloat(10 * i).putFloat(10 * i + 1);
    }
    TensorProto table =
        TensorProto.newBuilder()
            .setName("table")
            .setDataType(OnnxElementType.FLOAT.code())
            .addDims(4)
            .addDims(2)
            .setRawData(ByteString.copyFrom(t.array()))
            .build();
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("lookup")
            .addInitializer(table)
            .addNode(node("Gather", List.of("table", "ids"), List.of("y")))
            .addInput(tensorValue("ids", OnnxElementType.INT64, DYNAMIC))
            .addOutput(tensorValue("y", OnnxElementType.FLOAT, DYNAMIC, 2))
            .build();
    return model(graph, false);
  }

  private static byte[] model(GraphProto graph, boolean usesMlDomain) {
    return modelBuilder(graph, usesMlDomain).build().toByteArray();
  }

  private static ModelProto.Builder modelBuilder(GraphProto graph, boolean usesMlDomain) {
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName(PRODUCER)
            .setModelVersion(1)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setGraph(graph);
    if (usesMlDomain) {
      model.addOpsetImport(
          OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(ML_OPSET));
    }
    return model;
  }

  private static NodeProto node(String op, List<String> inputs, List<String> outputs) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(op.toLowerCase(Locale.ROOT))
        .addAllInput(inputs)
        .addAllOutput(outputs)
        .build();
  }

  private static ValueInfoProto tensorValue(String name, OnnxElementType type, long... shape) {
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == DYNAMIC) {
        dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("dim" + i));
      } else if (shape[i] >= 0) {
        dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape[i]));
      } else {
        throw new IllegalArgumentException("dimension " + shape[i] + " is invalid");
      }
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(dims)))
        .build();
  }

  private static ValueInfoProto sequenceValue(String name, OnnxElementType type) {
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(tensorType(type))))
        .build();
  }

  private static TypeProto tensorType(OnnxElementType type) {
    return TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()))
        .build();
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
