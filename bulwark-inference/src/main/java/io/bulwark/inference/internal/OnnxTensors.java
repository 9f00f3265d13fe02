package io.bulwark.inference.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtUtil;
import ai.onnxruntime.TensorInfo;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.Strings;
import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Converts between {@link Tensor}s and ONNX Runtime's {@link OnnxTensor}s. */
final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * Creates an ONNX Runtime tensor holding {@code tensor}'s elements. The caller closes it.
   *
   * <p>Fixed-size elements go to ONNX Runtime as a direct buffer in native (little-endian) order: a
   * direct input buffer is used in place, a heap buffer is copied once into a buffer from {@code
   * buffers}, which is added to {@code borrowed} for the caller to give back once the tensor is
   * closed. {@link DataType#BYTES} elements become strings, which ONNX Runtime's Java API requires
   * to be UTF-8.
   *
   * @throws InvalidRequestException if a {@code BYTES} element is not valid UTF-8
   */
  static OnnxTensor toOnnx(
      OrtEnvironment env, Tensor tensor, DirectBuffers buffers, List<ByteBuffer> borrowed)
      throws OrtException {
    long[] shape = tensor.shape();
    if (tensor.datatype() == DataType.BYTES) {
      return OnnxTensor.createTensor(env, utf8Strings(tensor), shape);
    }
    ByteBuffer data = tensor.data();
    if (!data.isDirect()) {
      ByteBuffer direct = buffers.take(data.remaining());
      borrowed.add(direct);
      direct.put(data.duplicate()).flip();
      data = direct;
    }
    return OnnxTensor.createTensor(env, data, shape, OnnxTypes.javaType(tensor.datatype()));
  }

  /**
   * Reads an ONNX Runtime tensor into a {@link Tensor} named {@code name}; the datatype and shape
   * are those of the result.
   */
  static Tensor fromOnnx(String name, OnnxTensor value) throws OrtException {
    TensorInfo info = value.getInfo();
    DataType type =
        OnnxTypes.dataType(info.onnxType)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "output '"
                            + Strings.printable(name)
                            + "' has unsupported element type "
                            + OnnxTypes.onnxName(info.onnxType)));
    long[] shape = info.getShape();
    if (type == DataType.BYTES) {
      Object strings = value.getValue();
      String[] flat =
          strings instanceof String s ? new String[] {s} : OrtUtil.flattenString(strings);
      List<byte[]> elements = new ArrayList<>(flat.length);
      for (String s : flat) {
        elements.add(s.getBytes(StandardCharsets.UTF_8));
      }
      return Tensor.ofBytes(name, shape, elements);
    }
    // A heap copy in native order, which is little-endian (checked when the engine is created).
    return Tensor.ofFixed(name, type, shape, value.getByteBuffer());
  }

  private static String[] utf8Strings(Tensor tensor) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<byte[]> elements = tensor.bytesElements();
    String[] out = new String[elements.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(elements.get(i)));
        out[i] = chars.toString();
      } catch (CharacterCodingException e) {
        throw new InvalidRequestException(
            "input '"
                + Strings.printable(tensor.name())
                + "' element "
                + i
                + " is not valid UTF-8, which this model's string input requires");
      }
    }
    return out;
  }
}
