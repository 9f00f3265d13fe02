package io.bulwark.testing;

/**
 * ONNX tensor element types, with the numbers {@code onnx.TensorProto.DataType} gives them. Only
 * the types the fixtures use are listed.
 */
public enum OnnxElementType {
  FLOAT(1),
  UINT8(2),
  INT8(3),
  UINT16(4),
  INT16(5),
  INT32(6),
  INT64(7),
  STRING(8),
  BOOL(9),
  FLOAT16(10),
  DOUBLE(11),
  UINT32(12),
  UINT64(13),
  BFLOAT16(16);

  private final int code;

  OnnxElementType(int code) {
    this.code = code;
  }

  /** The value of {@code TensorProto.DataType} for this type. */
  public int code() {
    return code;
  }
}
