package io.bulwark.inference.internal;

import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Builds and reads test tensors. */
final class Fixtures {
  private Fixtures() {}

  static Tensor fp32(String name, long[] shape, float... values) {
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return Tensor.ofFixed(name, DataType.FP32, shape, data);
  }

  static Tensor fp32Direct(String name, long[] shape, float... values) {
    ByteBuffer data = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return Tensor.ofFixed(name, DataType.FP32, shape, data);
  }

  static float[] floats(Tensor tensor) {
    FloatBuffer data = tensor.data().asFloatBuffer();
    float[] out = new float[data.remaining()];
    data.get(out);
    return out;
  }

  static byte[] bytes(Tensor tensor) {
    ByteBuffer data = tensor.data();
    byte[] out = new byte[data.remaining()];
    data.get(out);
    return out;
  }
}
