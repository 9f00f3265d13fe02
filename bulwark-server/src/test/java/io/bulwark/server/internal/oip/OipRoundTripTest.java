package io.bulwark.server.internal.oip;

import static io.bulwark.server.internal.oip.Bodies.array;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.Limits;
import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Randomized round trips, seeded so that a failure repeats: tensors of every type written as
 * requests by an independent writer (flat, nested, binary, "data" first or last) must decode to the
 * same bytes, and responses must read back to the tensors that were encoded.
 */
class OipRoundTripTest {
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DataType[] TYPES = DataType.values();

  private final OipRequestDecoder decoder = new OipRequestDecoder(Limits.defaults());
  private final OipResponseEncoder encoder = new OipResponseEncoder();

  private enum Mode {
    FLAT,
    NESTED,
    BINARY
  }

  @Test
  void decode_randomRequestsOfEveryType_returnTheTensorsWritten() throws IOException {
    Random random = new Random(20240607L);
    for (int round = 0; round < 2000; round++) {
      int n = 1 + random.nextInt(4);
      List<Tensor> tensors = new ArrayList<>();
      List<Mode> modes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        DataType type = TYPES[random.nextInt(TYPES.length)];
        boolean half = type == DataType.FP16 || type == DataType.BF16;
        Mode mode = half ? Mode.BINARY : Mode.values()[random.nextInt(3)];
        tensors.add(randomTensor(random, "in" + i, type, mode != Mode.BINARY));
        modes.add(mode);
      }
      Request req = writeRequest(random, tensors, modes);
      InferenceRequest decoded = decoder.decode(req.body, req.header);
      assertThat(decoded.inputs()).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertSameTensor(decoded.inputs().get(i), tensors.get(i), "round " + round);
      }
    }
  }

  @Test
  void encode_randomResponses_readBackAsTheTensorsEncoded() throws IOException {
    Random random = new Random(77L);
    for (int round = 0; round < 2000; round++) {
      int n = random.nextInt(4);
      List<Tensor> tensors = new ArrayList<>();
      Set<String> binary = new HashSet<>();
      for (int i = 0; i < n; i++) {
        DataType type = TYPES[random.nextInt(TYPES.length)];
        boolean asBinary = random.nextBoolean();
        tensors.add(randomTensor(random, "out" + i, type, !asBinary));
        if (asBinary) {
          binary.add("out" + i);
        }
      }
      EncodedResponse r = encoder.encode("m", "1", "r" + round, tensors, binary);
      int jsonLength =
          r.inferenceHeaderContentLength() == null
              ? r.body().length
              : r.inferenceHeaderContentLength();
      JsonNode root = MAPPER.readTree(new String(r.body(), 0, jsonLength, StandardCharsets.UTF_8));
      assertThat(root.get("id").asText()).isEqualTo("r" + round);
      int pos = jsonLength;
      for (int i = 0; i < n; i++) {
        Tensor t = tensors.get(i);
        JsonNode out = root.get("outputs").get(i);
        assertThat(out.get("name").asText()).isEqualTo(t.name());
        assertThat(out.get("datatype").asText()).isEqualTo(t.datatype().wireName());
        long[] shape = new long[out.get("shape").size()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = out.get("shape").get(d).asLong();
        }
        assertThat(shape).isEqualTo(t.shape());
        JsonNode params = out.get("parameters");
        if (params != null) {
          int size = params.get("binary_data_size").asInt();
          byte[] bytes = Arrays.copyOfRange(r.body(), pos, pos + size);
          pos += size;
          assertThat(bytes).isEqualTo(binaryForm(t));
        } else {
          assertThat(binary).doesNotContain(t.name());
          assertThat(fromJson(out.get("data"), t.datatype())).isEqualTo(binaryForm(t));
        }
      }
      assertThat(pos).isEqualTo(r.body().length);
    }
  }

  // --- random tensors ---

  private static Tensor randomTensor(Random random, String name, DataType type, boolean forJson) {
    int rank = random.nextInt(5);
    long[] shape = new long[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(4);
    }
    int count = (int) Tensor.elementCount(shape);
    if (type == DataType.BYTES) {
      List<byte[]> elements = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        elements.add(forJson ? randomText(random) : randomBytes(random));
      }
      return Tensor.ofBytes(name, shape, elements);
    }
    ByteBuffer data = ByteBuffer.allocate(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BOOL -> data.put((byte) random.nextInt(2));
        case FP32 -> {
          float f;
          do {
            f = random.nextBoolean() ? Float.intBitsToFloat(random.nextInt()) : random.nextFloat();
          } while (forJson && !Float.isFinite(f));
          data.putFloat(f);
        }
        case FP64 -> {
          double d;
          do {
            d =
                random.nextBoolean()
                    ? Double.longBitsToDouble(random.nextLong())
                    : random.nextGaussian();
          } while (forJson && !Double.isFinite(d));
          data.putDouble(d);
        }
        case FP16 -> {
          short h;
          do {
            h = (short) random.nextInt();
          } while (forJson && Float.isNaN(Float.float16ToFloat(h)));
          data.putShort(h);
        }
        case BF16 -> {
          short h;
          do {
            h = (short) random.nextInt();
          } while (forJson && Float.isNaN(Float.intBitsToFloat((h & 0xFFFF) << 16)));
          data.putShort(h);
        }
        default -> {
          byte[] b = new byte[type.byteSize()];
          random.nextBytes(b);
          data.put(b);
        }
      }
    }
    return Tensor.ofFixed(name, type, shape, data.flip());
  }

  private static byte[] randomText(Random random) {
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      int cp;
      do {
        cp =
            switch (random.nextInt(4)) {
              case 0 -> random.nextInt(0x80);
              case 1 -> 0x80 + random.nextInt(0x780);
              case 2 -> 0x800 + random.nextInt(0xF800);
              default -> 0x10000 + random.nextInt(0x100000);
            };
      } while (cp >= 0xD800 && cp <= 0xDFFF);
      sb.appendCodePoint(cp);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(6)];
    random.nextBytes(b);
    return b;
  }

  // --- an independent request writer ---

  @SuppressWarnings("ArrayRecordComponent") // test-only carrier
  private record Request(byte[] body, String header) {}

  private static Request writeRequest(Random random, List<Tensor> tensors, List<Mode> modes)
      throws IOException {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(json, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("id", "x");
      g.writeArrayFieldStart("inputs");
      for (int i = 0; i < tensors.size(); i++) {
        Tensor t = tensors.get(i);
        Mode mode = modes.get(i);
        boolean dataFirst = random.nextBoolean();
        g.writeStartObject();
        if (dataFirst && mode != Mode.BINARY) {
          writeData(g, t, mode == Mode.NESTED);
        }
        g.writeStringField("name", t.name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeStringField("datatype", t.datatype().wireName());
        if (mode == Mode.BINARY) {
          byte[] bytes = binaryForm(t);
          g.writeObjectFieldStart("parameters");
          g.writeNumberField("binary_data_size", bytes.length);
          g.writeEndObject();
          binary.writeBytes(bytes);
        } else if (!dataFirst) {
          writeData(g, t, mode == Mode.NESTED);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    byte[] header = json.toByteArray();
    byte[] body = Bodies.concat(header, binary.toByteArray());
    return new Request(body, Integer.toString(header.length));
  }

  private static void writeData(JsonGenerator g, Tensor t, boolean nested) throws IOException {
    g.writeFieldName("data");
    long[] shape = t.shape();
    int[] next = {0};
    if (nested && shape.length >= 2) {
      writeNested(g, t, shape, 0, next);
    } else {
      g.writeStartArray();
      for (int i = 0; i < t.elementCount(); i++) {
        writeElement(g, t, i);
      }
      g.writeEndArray();
    }
  }

  private static void writeNested(JsonGenerator g, Tensor t, long[] shape, int level, int[] next)
      throws IOException {
    g.writeStartArray();
    for (long i = 0; i < shape[level]; i++) {
      if (level == shape.length - 1) {
        writeElement(g, t, next[0]++);
      } else {
        writeNested(g, t, shape, level + 1, next);
      }
    }
    g.writeEndArray();
  }

  private static void writeElement(JsonGenerator g, Tensor t, int i) throws IOException {
    if (t.datatype() == DataType.BYTES) {
      g.writeString(new String(t.bytesElements().get(i), StandardCharsets.UTF_8));
      return;
    }
    ByteBuffer d = t.data();
    switch (t.datatype()) {
      case BOOL -> g.writeBoolean(d.get(i) != 0);
      case UINT8 -> g.writeNumber(Byte.toUnsignedInt(d.get(i)));
      case INT8 -> g.writeNumber(d.get(i));
      case UINT16 -> g.writeNumber(Short.toUnsignedInt(d.getShort(i * 2)));
      case INT16 -> g.writeNumber(d.getShort(i * 2));
      case UINT32 -> g.writeNumber(Integer.toUnsignedLong(d.getInt(i * 4)));
      case INT32 -> g.writeNumber(d.getInt(i * 4));
      case UINT64 -> g.writeNumber(new BigInteger(Long.toUnsignedString(d.getLong(i * 8))));
      case INT64 -> g.writeNumber(d.getLong(i * 8));
      case FP32 -> g.writeNumber(d.getFloat(i * 4));
      case FP64 -> g.writeNumber(d.getDouble(i * 8));
      default -> throw new AssertionError(t.datatype() + " is never written as JSON here");
    }
  }

  /** A tensor's bytes in the binary tensor data extension's layout. */
  private static byte[] binaryForm(Tensor t) {
    if (t.datatype() != DataType.BYTES) {
      return array(t.data());
    }
    return Bodies.bytesElements(t.bytesElements().toArray(new byte[0][]));
  }

  /** A response's JSON data converted back to the binary layout, to compare with the original. */
  private static byte[] fromJson(JsonNode data, DataType type) {
    if (type == DataType.BYTES) {
      byte[][] elements = new byte[data.size()][];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = data.get(i).asText().getBytes(StandardCharsets.UTF_8);
      }
      return Bodies.bytesElements(elements);
    }
    ByteBuffer b =
        ByteBuffer.allocate(data.size() * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonNode v : data) {
      switch (type) {
        case BOOL -> b.put((byte) (v.booleanValue() ? 1 : 0));
        case UINT8, INT8 -> b.put((byte) v.asLong());
        case UINT16, INT16 -> b.putShort((short) v.asLong());
        case UINT32, INT32 -> b.putInt((int) v.asLong());
        case UINT64 -> b.putLong(v.bigIntegerValue().longValue());
        case INT64 -> b.putLong(v.longValue());
        case FP16 -> b.putShort(Float.floatToFloat16(floatOf(v)));
        case BF16 -> b.putShort((short) (Float.floatToRawIntBits(floatOf(v)) >>> 16));
        case FP32 -> b.putFloat(floatOf(v));
        case FP64 -> b.putDouble(Double.parseDouble(v.asText()));
        case BYTES -> throw new AssertionError();
      }
    }
    return b.array();
  }

  private static float floatOf(JsonNode v) {
    return Float.parseFloat(v.asText()); // "NaN"/"Infinity" strings parse too
  }

  private static void assertSameTensor(Tensor actual, Tensor expected, String context) {
    assertThat(actual.name()).as(context).isEqualTo(expected.name());
    assertThat(actual.datatype()).as(context).isEqualTo(expected.datatype());
    assertThat(actual.shape()).as(context).isEqualTo(expected.shape());
    try {
      assertThat(binaryForm(actual)).as(context + " " + expected).isEqualTo(binaryForm(expected));
    } catch (UncheckedIOException e) {
      throw new AssertionError(e);
    }
  }
}
