package io.bulwark.bench;

import io.bulwark.inference.DataType;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.Tensor;
import io.bulwark.inference.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Valid inputs for a model, built from its signature, and the same inputs as Open Inference
 * Protocol request bodies: JSON, and JSON followed by binary tensor data.
 */
final class Inputs {
  private Inputs() {}

  /** A request body on disk, for the load generator. */
  record Body(Path file, String contentType, int inferenceHeaderLength) {}

  /**
   * One tensor per declared input. Values are plausible rather than meaningful: token ids from
   * BERT's vocabulary between [CLS] and [SEP], masks of ones, segment ids of zeros, and uniform
   * floats in [0, 1).
   */
  static List<Tensor> tensors(BenchModel model, ModelSignature signature) {
    SplittableRandom random = new SplittableRandom(42);
    List<Tensor> tensors = new ArrayList<>();
    for (TensorSpec spec : signature.inputs()) {
      long[] shape =
          model.shapes().containsKey(spec.name())
              ? model.shapes().get(spec.name()).stream().mapToLong(Long::longValue).toArray()
              : spec.shape().stream().mapToLong(d -> d < 0 ? 1 : d).toArray();
      int count = Math.toIntExact(Tensor.elementCount(shape));
      ByteBuffer data =
          ByteBuffer.allocate(count * spec.datatype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      String name = spec.name().toLowerCase(Locale.ROOT);
      for (int i = 0; i < count; i++) {
        long integer =
            name.contains("mask")
                ? 1
                : name.contains("type")
                    ? 0
                    : i == 0 ? 101 : i == count - 1 ? 102 : random.nextInt(1000, 30000);
        put(data, spec.datatype(), integer, random.nextDouble());
      }
      tensors.add(Tensor.ofFixed(spec.name(), spec.datatype(), shape, data.flip()));
    }
    return tensors;
  }

  private static void put(ByteBuffer data, DataType type, long integer, double real) {
    switch (type) {
      case FP32 -> data.putFloat((float) real);
      case FP64 -> data.putDouble(real);
      case INT64 -> data.putLong(integer);
      case INT32 -> data.putInt((int) integer);
      case INT8, UINT8, BOOL -> data.put((byte) (integer & 1));
      default -> throw new IllegalArgumentException("no benchmark input for " + type);
    }
  }

  /** {@code {"inputs":[{"name","datatype","shape","data":[...]}]}}. */
  static Body json(List<Tensor> tensors, Path file) throws IOException {
    StringBuilder json = new StringBuilder("{\"inputs\":[");
    for (int t = 0; t < tensors.size(); t++) {
      Tensor tensor = tensors.get(t);
      json.append(t == 0 ? "" : ",").append(header(tensor)).append(",\"data\":[");
      ByteBuffer data = tensor.data();
      for (long i = 0; i < tensor.elementCount(); i++) {
        json.append(i == 0 ? "" : ",").append(value(data, tensor.datatype()));
      }
      json.append("]}");
    }
    Files.writeString(file, json.append("]}"), StandardCharsets.UTF_8);
    return new Body(file, "application/json", -1);
  }

  /**
   * The binary tensor data extension: a JSON header naming each input's byte size, then the raw
   * little-endian bytes; outputs are asked for in binary too.
   */
  static Body binary(List<Tensor> tensors, Path file) throws IOException {
    StringBuilder json = new StringBuilder("{\"inputs\":[");
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    for (int t = 0; t < tensors.size(); t++) {
      Tensor tensor = tensors.get(t);
      ByteBuffer data = tensor.data();
      json.append(t == 0 ? "" : ",")
          .append(header(tensor))
          .append(",\"parameters\":{\"binary_data_size\":")
          .append(data.remaining())
          .append("}}");
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      raw.writeBytes(bytes);
    }
    byte[] header =
        json.append("],\"parameters\":{\"binary_data_output\":true}}")
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(header);
    body.writeBytes(raw.toByteArray());
    Files.write(file, body.toByteArray());
    return new Body(file, "application/octet-stream", header.length);
  }

  private static String header(Tensor tensor) {
    StringBuilder shape = new StringBuilder();
    for (long d : tensor.shape()) {
      shape.append(shape.isEmpty() ? "" : ",").append(d);
    }
    return "{\"name\":\""
        + tensor.name()
        + "\",\"datatype\":\""
        + tensor.datatype().wireName()
        + "\",\"shape\":["
        + shape
        + "]";
  }

  private static String value(ByteBuffer data, DataType type) {
    return switch (type) {
      case FP32 -> Float.toString(data.getFloat());
      case FP64 -> Double.toString(data.getDouble());
      case INT64 -> Long.toString(data.getLong());
      case INT32 -> Integer.toString(data.getInt());
      case BOOL -> data.get() == 0 ? "false" : "true";
      default -> Byte.toString(data.get());
    };
  }
}
