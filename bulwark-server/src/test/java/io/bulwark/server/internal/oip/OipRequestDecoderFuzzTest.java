package io.bulwark.server.internal.oip;

import static io.bulwark.server.internal.oip.Bodies.concat;
import static io.bulwark.server.internal.oip.Bodies.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Limits;
import io.bulwark.inference.Tensor;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Feeds the decoder many thousands of generated and mutated bodies and header values. The only
 * acceptable outcomes are a consistent request or one of the two client-error exceptions: any other
 * exception, an out-of-memory error or a stack overflow fails the test with the input that caused
 * it. Seeded, so a failure repeats; a Jazzer target would explore further (see the report).
 */
class OipRequestDecoderFuzzTest {
  private static final List<Limits> LIMITS =
      List.of(
          Limits.defaults(),
          Limits.defaults().withMaxTensorElements(64).withMaxJsonDepth(8),
          Limits.defaults().withMaxRequestBytes(512).withMaxJsonDepth(5));

  private static final String[] TYPES = {
    "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
    "FP32", "FP64", "BF16", "BYTES", "fp32", "STRING", ""
  };

  private static final String[] NUMBERS = {
    "0",
    "1",
    "-1",
    "2",
    "3",
    "255",
    "256",
    "-129",
    "65536",
    "2147483648",
    "4294967296",
    "4611686018427387904",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "1.5",
    "-0.0",
    "1e38",
    "3.5e38",
    "1e308",
    "1e309",
    "1e-400",
    "0.1",
    "1000000000",
    "123456789012345678901234567890"
  };

  private static final String[] KEYS = {
    "id",
    "inputs",
    "outputs",
    "parameters",
    "name",
    "shape",
    "datatype",
    "data",
    "binary_data_size",
    "binary_data",
    "binary_data_output",
    "classification",
    "shared_memory_region",
    "model_name",
    "x"
  };

  private static final String[] SNIPPETS = {
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "-",
    "1e999",
    "18446744073709551616",
    "null",
    "true",
    "\"data\":",
    "\"shape\":[",
    "\"binary_data_size\":",
    "\\u0000",
    "\\ud800",
    "\\",
    "[[[[",
    "]]]]",
    "\"\\ud83d\\ude00\"",
    "\u00e9",
    "9".repeat(1100),
    "\"BYTES\"",
    "\"FP16\""
  };

  @Test
  void decode_generatedAndMutatedBodies_onlyEverThrowClientErrors() {
    Random random = new Random(0xB0_1AA7L);
    int accepted = 0;
    for (int i = 0; i < 40_000; i++) {
      Limits limits = LIMITS.get(random.nextInt(LIMITS.size()));
      ByteArrayOutputStream binaryOut = new ByteArrayOutputStream();
      byte[] json = utf8(request(random, binaryOut));
      byte[] binary = binaryOut.toByteArray();
      if (random.nextInt(10) == 0) {
        binary = new byte[random.nextInt(64)];
        random.nextBytes(binary);
      }
      byte[] body = concat(json, binary);
      if (random.nextInt(3) == 0) {
        body = mutate(random, body);
      }
      String header = header(random, json.length, body.length, binary.length > 0);
      if (attempt(new OipRequestDecoder(limits), body, header, limits, i)) {
        accepted++;
      }
    }
    // The generator must reach the success path often enough to exercise the decoding itself.
    assertThat(accepted).isGreaterThan(1500);
  }

  @Test
  void decode_randomBytes_onlyEverThrowClientErrors() {
    Random random = new Random(42);
    OipRequestDecoder decoder = new OipRequestDecoder(Limits.defaults());
    for (int i = 0; i < 20_000; i++) {
      byte[] body = new byte[random.nextInt(200)];
      random.nextBytes(body);
      if (body.length > 0 && random.nextBoolean()) {
        body[0] = '{';
      }
      String header = random.nextBoolean() ? null : Integer.toString(random.nextInt(250));
      attempt(decoder, body, header, Limits.defaults(), i);
    }
  }

  /** Decodes; returns whether the body was accepted. Fails on anything but a client error. */
  private static boolean attempt(
      OipRequestDecoder decoder, byte[] body, @Nullable String header, Limits limits, int i) {
    try {
      InferenceRequest r = decoder.decode(body, header);
      long total = 0;
      for (Tensor t : r.inputs()) {
        total += t.elementCount();
      }
      assertThat(total).isLessThanOrEqualTo(limits.maxTensorElements());
      return true;
    } catch (InvalidRequestException | LimitExceededException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("Source:").hasSizeLessThan(1000);
      return false;
    } catch (Throwable t) {
      throw new AssertionError(
          "iteration "
              + i
              + ", header "
              + header
              + ", body (base64) "
              + Base64.getEncoder().encodeToString(body),
          t);
    }
  }

  private static @Nullable String header(
      Random random, int jsonLength, int bodyLength, boolean hasBinary) {
    return switch (random.nextInt(20)) {
      case 0 -> null;
      case 1 -> Integer.toString(random.nextInt(bodyLength + 2));
      case 2 -> pick(random, new String[] {"", "0", "-1", "x", " 1", "99999999999999999999"});
      case 3 -> Integer.toString(bodyLength);
      default -> hasBinary || random.nextBoolean() ? Integer.toString(jsonLength) : null;
    };
  }

  // --- a generator of plausible requests ---

  private static String request(Random random, ByteArrayOutputStream binary) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    if (random.nextInt(4) == 0) {
      first = field(sb, first, "id", random.nextInt(4) > 0 ? "\"r1\"" : value(random, 0));
    }
    if (random.nextInt(4) == 0) {
      first = field(sb, first, "parameters", parameters(random));
    }
    if (random.nextInt(20) > 0) {
      StringBuilder inputs = new StringBuilder("[");
      int n = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(3);
      for (int i = 0; i < n; i++) {
        inputs.append(i == 0 ? "" : ",").append(input(random, "in" + i, binary));
      }
      first = field(sb, first, "inputs", inputs.append(']').toString());
    }
    if (random.nextInt(3) == 0) {
      StringBuilder outputs = new StringBuilder("[");
      int n = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        outputs
            .append(i == 0 ? "" : ",")
            .append("{\"name\":\"out")
            .append(random.nextInt(3))
            .append('"')
            .append(random.nextBoolean() ? "" : ",\"parameters\":" + parameters(random))
            .append('}');
      }
      field(sb, first, "outputs", outputs.append(']').toString());
    }
    return sb.append('}').toString();
  }

  private static boolean field(StringBuilder sb, boolean first, String key, String value) {
    sb.append(first ? "" : ",").append('"').append(key).append("\":").append(value);
    return false;
  }

  private static String input(Random random, String name, ByteArrayOutputStream binary) {
    String type = pick(random, TYPES);
    int rank = random.nextInt(4);
    long[] shape = new long[rank];
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < rank; i++) {
      shape[i] =
          random.nextInt(10) == 0
              ? Long.parseLong(
                  pick(random, new String[] {"-1", "0", "4611686018427387904", "1000000000"}))
              : random.nextInt(4);
      s.append(i == 0 ? "" : ",").append(shape[i]);
    }
    String shapeJson = s.append(']').toString();
    String[] parts = new String[5];
    int n = 0;
    parts[n++] = "\"name\":\"" + name + "\"";
    if (random.nextInt(10) > 0) {
      parts[n++] = "\"shape\":" + shapeJson;
    }
    if (random.nextInt(10) > 0) {
      parts[n++] = "\"datatype\":\"" + type + "\"";
    }
    boolean asBinary = random.nextInt(3) == 0;
    if (asBinary) {
      parts[n++] =
          "\"parameters\":{\"binary_data_size\":" + binaryData(random, type, shape, binary) + "}";
    }
    if (asBinary ? random.nextInt(20) == 0 : random.nextInt(10) > 0) {
      parts[n++] = "\"data\":" + data(random, type, shape);
    }
    List<String> list = Arrays.asList(Arrays.copyOf(parts, n));
    java.util.Collections.shuffle(list, random);
    return "{" + String.join(",", list) + "}";
  }

  /** Appends binary data that usually fits the shape and type; returns the size to declare. */
  private static String binaryData(
      Random random, String type, long[] shape, ByteArrayOutputStream binary) {
    long count = 1;
    for (long d : shape) {
      count = d < 0 || d > 8 ? 3 : count * d;
    }
    int start = binary.size();
    if (type.equals("BYTES")) {
      for (long i = 0; i < count; i++) {
        byte[] e = new byte[random.nextInt(5)];
        random.nextBytes(e);
        int length = random.nextInt(30) == 0 ? random.nextInt() : e.length;
        binary.writeBytes(
            new byte[] {
              (byte) length, (byte) (length >> 8), (byte) (length >> 16), (byte) (length >> 24)
            });
        binary.writeBytes(e);
      }
    } else {
      int size = 1;
      for (String s : new String[] {"UINT16", "INT16", "FP16", "BF16"}) {
        size = type.equals(s) ? 2 : size;
      }
      for (String s : new String[] {"UINT32", "INT32", "FP32"}) {
        size = type.equals(s) ? 4 : size;
      }
      for (String s : new String[] {"UINT64", "INT64", "FP64"}) {
        size = type.equals(s) ? 8 : size;
      }
      byte[] data = new byte[(int) count * size];
      random.nextBytes(data);
      if (type.equals("BOOL") && random.nextInt(10) > 0) {
        for (int i = 0; i < data.length; i++) {
          data[i] &= 1;
        }
      }
      binary.writeBytes(data);
    }
    int written = binary.size() - start;
    return switch (random.nextInt(12)) {
      case 0 -> pick(random, NUMBERS);
      case 1 -> Integer.toString(written + random.nextInt(3) - 1);
      default -> Integer.toString(written);
    };
  }

  /** Data that usually fits the shape and type, sometimes not. */
  private static String data(Random random, String type, long[] shape) {
    long count = 1;
    for (long d : shape) {
      count = d < 0 || d > 8 ? 3 : count * d;
    }
    boolean nested = shape.length >= 2 && random.nextBoolean();
    if (nested && shape[0] >= 0 && shape[0] <= 8 && shape[1] >= 0 && shape[1] <= 8) {
      StringBuilder sb = new StringBuilder("[");
      long inner = shape[0] == 0 ? 0 : count / shape[0];
      for (long i = 0; i < shape[0]; i++) {
        sb.append(i == 0 ? "" : ",")
            .append(flat(random, type, inner + (random.nextInt(8) == 0 ? 1 : 0)));
      }
      return sb.append(']').toString();
    }
    return flat(random, type, count + (random.nextInt(8) == 0 ? random.nextInt(3) - 1 : 0));
  }

  private static String flat(Random random, String type, long count) {
    StringBuilder sb = new StringBuilder("[");
    for (long i = 0; i < count && i < 64; i++) {
      sb.append(i == 0 ? "" : ",").append(element(random, type));
    }
    return sb.append(']').toString();
  }

  private static String element(Random random, String type) {
    if (random.nextInt(12) == 0) {
      return value(random, 1);
    }
    return switch (type) {
      case "BOOL" -> random.nextBoolean() ? "true" : "false";
      case "BYTES" -> "\"s" + random.nextInt(100) + "\"";
      case "FP32", "FP64", "FP16", "BF16" ->
          random.nextBoolean() ? Float.toString(random.nextFloat()) : pick(random, NUMBERS);
      default ->
          random.nextBoolean() ? Integer.toString(random.nextInt(100)) : pick(random, NUMBERS);
    };
  }

  private static String parameters(Random random) {
    StringBuilder sb = new StringBuilder("{");
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",")
          .append('"')
          .append(pick(random, KEYS))
          .append(i)
          .append("\":")
          .append(value(random, 2));
    }
    if (random.nextBoolean()) {
      sb.append(n == 0 ? "" : ",")
          .append('"')
          .append(
              pick(random, new String[] {"binary_data", "binary_data_output", "classification"}))
          .append("\":")
          .append(random.nextBoolean() ? "true" : value(random, 2));
    }
    return sb.append('}').toString();
  }

  private static String value(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 4 : 6);
    return switch (kind) {
      case 0 -> pick(random, NUMBERS);
      case 1 -> "\"" + pick(random, KEYS) + "\"";
      case 2 -> pick(random, new String[] {"true", "false", "null"});
      case 3 -> "\"\\u00e9\\n\"";
      case 4 -> "[" + value(random, depth + 1) + "," + value(random, depth + 1) + "]";
      default -> "{\"" + pick(random, KEYS) + "\":" + value(random, depth + 1) + "}";
    };
  }

  // --- mutations ---

  private static byte[] mutate(Random random, byte[] body) {
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds && body.length > 0; r++) {
      int at = random.nextInt(body.length);
      switch (random.nextInt(6)) {
        case 0 -> body[at] = (byte) random.nextInt(256);
        case 1 -> {
          byte[] snippet = utf8(pick(random, SNIPPETS));
          body =
              concat(Arrays.copyOf(body, at), snippet, Arrays.copyOfRange(body, at, body.length));
        }
        case 2 -> {
          int end = Math.min(body.length, at + 1 + random.nextInt(16));
          body = concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, end, body.length));
        }
        case 3 -> {
          int end = Math.min(body.length, at + 1 + random.nextInt(32));
          byte[] copy = Arrays.copyOfRange(body, at, end);
          body = concat(Arrays.copyOf(body, end), copy, Arrays.copyOfRange(body, end, body.length));
        }
        case 4 -> body = Arrays.copyOf(body, at);
        default -> {
          // Replace a digit run with a boundary number.
          int s = at;
          while (s < body.length && (body[s] < '0' || body[s] > '9')) {
            s++;
          }
          int e = s;
          while (e < body.length && body[e] >= '0' && body[e] <= '9') {
            e++;
          }
          if (s < body.length) {
            body =
                concat(
                    Arrays.copyOf(body, s),
                    utf8(pick(random, NUMBERS)),
                    Arrays.copyOfRange(body, e, body.length));
          }
        }
      }
    }
    return body;
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
