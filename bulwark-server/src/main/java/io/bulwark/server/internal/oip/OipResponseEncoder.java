package io.bulwark.server.internal.oip;

import com.fasterxml.jackson.core.JsonGenerator;
import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Encodes an Open Inference Protocol REST inference response, with outputs as JSON or as binary
 * tensor data (Triton's {@code binary_tensor_data} extension).
 *
 * <p>JSON data is written flat, in row-major order, straight from each tensor's buffer. UINT64 is
 * written unsigned. FP16 and BF16 are written as the JSON numbers of their exact values (every half
 * and bfloat16 value is a float, and the shortest decimal that reads back as that float is written,
 * so converting back loses nothing). NaN and infinities, which JSON numbers cannot express, are
 * written as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}. BYTES elements are
 * written as JSON strings; a BYTES output holding any element that is not valid UTF-8 is sent as
 * binary data instead, even if JSON was asked for, because JSON strings cannot carry arbitrary
 * bytes and a lossy or base64 rendering would be indistinguishable from real text.
 *
 * <p>Binary outputs carry {@code "parameters":{"binary_data_size":N}} and no {@code data}; their
 * bytes follow the JSON object in output order, and the response then has a header length and type
 * {@code application/octet-stream}. Thread-safe and stateless.
 */
public final class OipResponseEncoder {
  private static final int MAX_INITIAL_CAPACITY = 16 * 1024 * 1024;
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  public OipResponseEncoder() {}

  /**
   * Encodes a response.
   *
   * @param outputs the output tensors, in the order to send them
   * @param binaryOutputs names of the outputs to send as binary data (see {@link
   *     InferenceRequest#binaryOutputs})
   * @throws IllegalStateException if the response would exceed 2 GiB
   */
  public EncodedResponse encode(
      String modelName,
      String modelVersion,
      @Nullable String id,
      List<Tensor> outputs,
      Set<String> binaryOutputs) {
    int n = outputs.size();
    boolean[] binary = new boolean[n];
    long[] binarySizes = new long[n];
    boolean anyBinary = false;
    long binaryTotal = 0;
    long estimate = 128L + modelName.length() + modelVersion.length();
    estimate += id == null ? 0 : 2L * id.length();
    for (int i = 0; i < n; i++) {
      Tensor t = outputs.get(i);
      long size = binarySize(t);
      binarySizes[i] = size;
      binary[i] =
          binaryOutputs.contains(t.name())
              || (t.datatype() == DataType.BYTES && !allUtf8(t.bytesElements()));
      estimate += 96L + 2L * t.name().length() + 21L * t.rank();
      if (binary[i]) {
        anyBinary = true;
        binaryTotal += size;
      } else {
        estimate += jsonEstimate(t, size);
      }
    }
    if (binaryTotal > MAX_ARRAY) {
      throw new IllegalStateException("response too large");
    }
    GrowableBuffer out = new GrowableBuffer((int) Math.min(estimate, MAX_INITIAL_CAPACITY));
    try (JsonGenerator g = OipJson.generator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", modelName);
      g.writeStringField("model_version", modelVersion);
      if (id != null) {
        g.writeStringField("id", id);
      }
      g.writeArrayFieldStart("outputs");
      for (int i = 0; i < n; i++) {
        Tensor t = outputs.get(i);
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.datatype().wireName());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        if (binary[i]) {
          g.writeObjectFieldStart("parameters");
          g.writeNumberField("binary_data_size", binarySizes[i]);
          g.writeEndObject();
        } else {
          g.writeArrayFieldStart("data");
          writeData(g, t);
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int jsonLength = out.size();
    if (!anyBinary) {
      return new EncodedResponse(out.toByteArray(0), null, OipJson.JSON_CONTENT_TYPE);
    }
    byte[] body = out.toByteArray((int) binaryTotal);
    int pos = jsonLength;
    for (int i = 0; i < n; i++) {
      if (binary[i]) {
        pos = writeBinary(outputs.get(i), body, pos);
      }
    }
    return new EncodedResponse(body, jsonLength, OipJson.BINARY_CONTENT_TYPE);
  }

  private static long binarySize(Tensor t) {
    if (t.datatype().isFixedSize()) {
      return t.data().remaining();
    }
    long size = 0;
    for (byte[] e : t.bytesElements()) {
      size += 4L + e.length;
    }
    return size;
  }

  /** A guess at the JSON size of a tensor's data, to size the buffer once in the common case. */
  private static long jsonEstimate(Tensor t, long binarySize) {
    long perElement =
        switch (t.datatype()) {
          case BOOL -> 6;
          case UINT8, INT8 -> 5;
          case UINT16, INT16 -> 7;
          case UINT32, INT32 -> 12;
          case UINT64, INT64 -> 21;
          case FP16, BF16 -> 13;
          case FP32 -> 16;
          case FP64 -> 25;
          case BYTES -> 0;
        };
    if (t.datatype() == DataType.BYTES) {
      return binarySize + t.elementCount() * 3;
    }
    return perElement * t.elementCount();
  }

  private static boolean allUtf8(List<byte[]> elements) {
    for (byte[] e : elements) {
      if (!Utf8.isValid(e)) {
        return false;
      }
    }
    return true;
  }

  private static void writeData(JsonGenerator g, Tensor t) throws IOException {
    DataType type = t.datatype();
    if (type == DataType.BYTES) {
      for (byte[] e : t.bytesElements()) {
        g.writeUTF8String(e, 0, e.length); // escapes as JSON requires; validated as UTF-8 above
      }
      return;
    }
    ByteBuffer d = t.data();
    int count = d.remaining() / type.byteSize();
    switch (type) {
      case BOOL -> {
        for (int i = 0; i < count; i++) {
          g.writeBoolean(d.get(i) != 0);
        }
      }
      case UINT8 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(d.get(i) & 0xFF);
        }
      }
      case INT8 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber((int) d.get(i));
        }
      }
      case UINT16 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(d.getShort(i * 2) & 0xFFFF);
        }
      }
      case INT16 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber((int) d.getShort(i * 2));
        }
      }
      case UINT32 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(Integer.toUnsignedLong(d.getInt(i * 4)));
        }
      }
      case INT32 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(d.getInt(i * 4));
        }
      }
      case UINT64 -> {
        for (int i = 0; i < count; i++) {
          long v = d.getLong(i * 8);
          if (v >= 0) {
            g.writeNumber(v);
          } else {
            g.writeNumber(Long.toUnsignedString(v));
          }
        }
      }
      case INT64 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(d.getLong(i * 8));
        }
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(Float.float16ToFloat(d.getShort(i * 2)));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(Float.intBitsToFloat((d.getShort(i * 2) & 0xFFFF) << 16));
        }
      }
      case FP32 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(d.getFloat(i * 4));
        }
      }
      case FP64 -> {
        for (int i = 0; i < count; i++) {
          g.writeNumber(d.getDouble(i * 8));
        }
      }
      case BYTES -> throw new IllegalStateException("BYTES handled above");
    }
  }

  private static int writeBinary(Tensor t, byte[] body, int pos) {
    if (t.datatype().isFixedSize()) {
      ByteBuffer d = t.data();
      int length = d.remaining();
      d.get(body, pos, length);
      return pos + length;
    }
    for (byte[] e : t.bytesElements()) {
      int length = e.length;
      body[pos] = (byte) length;
      body[pos + 1] = (byte) (length >>> 8);
      body[pos + 2] = (byte) (length >>> 16);
      body[pos + 3] = (byte) (length >>> 24);
      System.arraycopy(e, 0, body, pos + 4, length);
      pos += 4 + length;
    }
    return pos;
  }
}
