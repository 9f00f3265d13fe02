package io.bulwark.inference.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import io.bulwark.inference.DataType;
import java.util.Locale;
import java.util.Optional;

/** Maps between ONNX element types, ONNX Runtime's Java types and protocol {@link DataType}s. */
final class OnnxTypes {
  private static final String ONNX_PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

  private OnnxTypes() {}

  /**
   * The protocol type for an ONNX element type, if ONNX Runtime's Java API can both create and read
   * tensors of it. Unsigned 16, 32 and 64-bit integers are missing: the Java API has no type to
   * create them with.
   */
  static Optional<DataType> dataType(OnnxTensorType type) {
    return Optional.ofNullable(
        switch (type) {
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
          default -> null;
        });
  }

  /** The Java type ONNX Runtime creates fixed-size tensors of {@code type} with. */
  static OnnxJavaType javaType(DataType type) {
    return switch (type) {
      case BOOL -> OnnxJavaType.BOOL;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case FP16 -> OnnxJavaType.FLOAT16;
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case BYTES -> OnnxJavaType.STRING;
      case UINT16, UINT32, UINT64 ->
          // Unreachable for a validated input: no signature this engine builds declares them.
          throw new IllegalArgumentException(type + " is not supported by ONNX Runtime's Java API");
    };
  }

  /** ONNX's own lower-case name of an element type, for example {@code uint32}. */
  static String onnxName(OnnxTensorType type) {
    String name = type.name();
    if (name.startsWith(ONNX_PREFIX)) {
      name = name.substring(ONNX_PREFIX.length());
    }
    return name.toLowerCase(Locale.ROOT);
  }
}
