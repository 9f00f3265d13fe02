package io.bulwark.server.internal.oip;

import static io.bulwark.server.internal.oip.Bodies.array;
import static io.bulwark.server.internal.oip.Bodies.bytesElements;
import static io.bulwark.server.internal.oip.Bodies.concat;
import static io.bulwark.server.internal.oip.Bodies.json;
import static io.bulwark.server.internal.oip.Bodies.le;
import static io.bulwark.server.internal.oip.Bodies.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OipResponseEncoderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final OipResponseEncoder encoder = new OipResponseEncoder();

  private static String text(EncodedResponse r) {
    int end =
        r.inferenceHeaderContentLength() == null
            ? r.body().length
            : r.inferenceHeaderContentLength();
    return new String(r.body(), 0, end, StandardCharsets.UTF_8);
  }

  private static Tensor fixed(String name, DataType type, long[] shape, ByteBuffer data) {
    return Tensor.ofFixed(name, type, shape, data.rewind());
  }

  private String jsonOf(Tensor t) {
    return text(encoder.encode("m", "1", null, List.of(t), Set.of()));
  }

  @Test
  void encode_specificationExample_writesExactJson() {
    ByteBuffer d = le(24);
    for (float f : new float[] {1.0f, 1.1f, 2.0f, 2.1f, 3.0f, 3.1f}) {
      d.putFloat(f);
    }
    EncodedResponse r =
        encoder.encode(
            "mymodel",
            "1",
            "42",
            List.of(fixed("output0", DataType.FP32, new long[] {3, 2}, d)),
            Set.of());
    assertThat(text(r))
        .isEqualTo(
            json(
                "{'model_name':'mymodel','model_version':'1','id':'42','outputs':[{'name':'output0',"
                    + "'datatype':'FP32','shape':[3,2],'data':[1.0,1.1,2.0,2.1,3.0,3.1]}]}"));
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(r.inferenceHeaderContentLength()).isNull();
  }

  @Test
  void encode_withoutId_omitsIt() {
    String s = jsonOf(fixed("y", DataType.INT8, new long[] {1}, le(1).put((byte) -3)));
    assertThat(s)
        .isEqualTo(
            json(
                "{'model_name':'m','model_version':'1','outputs':[{'name':'y','datatype':'INT8',"
                    + "'shape':[1],'data':[-3]}]}"));
  }

  @Test
  void encode_integerTypes_writtenWithTheirSignedness() {
    assertThat(
            jsonOf(fixed("y", DataType.UINT8, new long[] {2}, le(2).put((byte) -1).put((byte) 1))))
        .contains("'data':[255,1]".replace('\'', '"'));
    assertThat(jsonOf(fixed("y", DataType.UINT16, new long[] {1}, le(2).putShort((short) -1))))
        .contains("[65535]");
    assertThat(jsonOf(fixed("y", DataType.INT16, new long[] {1}, le(2).putShort((short) -1))))
        .contains("[-1]");
    assertThat(jsonOf(fixed("y", DataType.UINT32, new long[] {1}, le(4).putInt(-1))))
        .contains("[4294967295]");
    assertThat(jsonOf(fixed("y", DataType.INT32, new long[] {1}, le(4).putInt(Integer.MIN_VALUE))))
        .contains("[-2147483648]");
    assertThat(
            jsonOf(
                fixed(
                    "y",
                    DataType.UINT64,
                    new long[] {3},
                    le(24).putLong(-1L).putLong(Long.MIN_VALUE).putLong(5))))
        .contains("[18446744073709551615,9223372036854775808,5]");
    assertThat(jsonOf(fixed("y", DataType.INT64, new long[] {1}, le(8).putLong(Long.MIN_VALUE))))
        .contains("[-9223372036854775808]");
    assertThat(
            jsonOf(
                fixed(
                    "y",
                    DataType.BOOL,
                    new long[] {3},
                    le(3).put((byte) 1).put((byte) 0).put((byte) 2))))
        .contains("[true,false,true]");
  }

  @Test
  void encode_halfPrecision_writtenAsExactFloatValues() {
    ByteBuffer half =
        le(8)
            .putShort(Float.floatToFloat16(1.0f))
            .putShort((short) 0x3555) // 0.33325195...
            .putShort((short) 0x7BFF) // 65504, the largest half
            .putShort((short) 0x0001); // the smallest subnormal, 2^-24
    String s = jsonOf(fixed("y", DataType.FP16, new long[] {4}, half));
    JsonNode data = data(s);
    assertThat(data.get(0).floatValue()).isEqualTo(1.0f);
    assertThat(Float.floatToFloat16(data.get(1).floatValue())).isEqualTo((short) 0x3555);
    assertThat(data.get(2).floatValue()).isEqualTo(65504f);
    assertThat(data.get(3).floatValue()).isEqualTo(0x1p-24f);

    ByteBuffer bf = le(4).putShort((short) 0x3F80).putShort((short) 0xC049); // 1.0, -3.140625
    JsonNode b = data(jsonOf(fixed("y", DataType.BF16, new long[] {2}, bf)));
    assertThat(b.get(0).floatValue()).isEqualTo(1.0f);
    assertThat(b.get(1).floatValue()).isEqualTo(-3.140625f);
  }

  @Test
  void encode_nonFiniteFloats_writtenAsStrings() {
    ByteBuffer d = le(12).putFloat(Float.NaN).putFloat(Float.POSITIVE_INFINITY).putFloat(-0f);
    assertThat(jsonOf(fixed("y", DataType.FP32, new long[] {3}, d)))
        .contains("[\"NaN\",\"Infinity\",-0.0]");
    ByteBuffer h = le(2).putShort((short) 0x7E00);
    assertThat(jsonOf(fixed("y", DataType.FP16, new long[] {1}, h))).contains("[\"NaN\"]");
  }

  @Test
  void encode_floatsRoundTripExactly() {
    float[] values = {0.1f, Float.MIN_VALUE, Float.MAX_VALUE, -1e-40f, 16777216f, 3.4e-38f};
    ByteBuffer d = le(values.length * 4);
    for (float f : values) {
      d.putFloat(f);
    }
    JsonNode data = data(jsonOf(fixed("y", DataType.FP32, new long[] {values.length}, d)));
    for (int i = 0; i < values.length; i++) {
      assertThat(Float.parseFloat(data.get(i).asText())).isEqualTo(values[i]);
    }
    double[] doubles = {0.1, Double.MIN_VALUE, Double.MAX_VALUE, -1e-310};
    ByteBuffer dd = le(doubles.length * 8);
    for (double v : doubles) {
      dd.putDouble(v);
    }
    JsonNode ddata = data(jsonOf(fixed("y", DataType.FP64, new long[] {doubles.length}, dd)));
    for (int i = 0; i < doubles.length; i++) {
      assertThat(ddata.get(i).doubleValue()).isEqualTo(doubles[i]);
    }
  }

  @Test
  void encode_bytesValidUtf8_writtenAsEscapedStrings() {
    Tensor t =
        Tensor.ofBytes(
            "s", new long[] {3}, List.of(utf8("a\"b\\c\n"), utf8("é😀"), new byte[] {0x01}));
    EncodedResponse r = encoder.encode("m", "1", null, List.of(t), Set.of());
    assertThat(r.contentType()).isEqualTo("application/json");
    JsonNode data = data(text(r));
    assertThat(data.get(0).asText()).isEqualTo("a\"b\\c\n");
    assertThat(data.get(1).asText()).isEqualTo("é😀");
    assertThat(data.get(2).asText()).isEqualTo("\u0001");
    assertThat(text(r)).contains("\\u0001").doesNotContain("\n");
  }

  @Test
  void encode_bytesNotUtf8_sentAsBinaryEvenIfJsonWasAsked() {
    byte[] bad = {(byte) 0xC0, (byte) 0xAF};
    Tensor t = Tensor.ofBytes("s", new long[] {2}, List.of(utf8("ok"), bad));
    EncodedResponse r = encoder.encode("m", "1", null, List.of(t), Set.of());
    assertThat(r.contentType()).isEqualTo("application/octet-stream");
    byte[] binary = bytesElements(utf8("ok"), bad);
    assertThat(text(r)).contains(json("'parameters':{'binary_data_size':" + binary.length + "}"));
    assertThat(text(r)).doesNotContain("\"data\"");
    int h = r.inferenceHeaderContentLength();
    assertThat(Arrays.copyOfRange(r.body(), h, r.body().length)).isEqualTo(binary);
  }

  @Test
  void encode_binaryOutputs_appendedInOrderAfterJson() {
    Tensor a = fixed("a", DataType.INT32, new long[] {2}, le(8).putInt(1).putInt(-2));
    Tensor b = fixed("b", DataType.FP32, new long[] {1}, le(4).putFloat(0.5f));
    Tensor c = Tensor.ofBytes("c", new long[] {2}, List.of(utf8("xy"), new byte[0]));
    EncodedResponse r = encoder.encode("m", "1", "id", List.of(a, b, c), Set.of("a", "c"));
    assertThat(r.contentType()).isEqualTo("application/octet-stream");
    int h = r.inferenceHeaderContentLength();
    JsonNode root = parse(text(r));
    assertThat(root.get("id").asText()).isEqualTo("id");
    JsonNode outs = root.get("outputs");
    assertThat(outs.get(0).get("parameters").get("binary_data_size").asLong()).isEqualTo(8);
    assertThat(outs.get(0).has("data")).isFalse();
    assertThat(outs.get(1).get("data").get(0).floatValue()).isEqualTo(0.5f);
    assertThat(outs.get(1).has("parameters")).isFalse();
    assertThat(outs.get(2).get("parameters").get("binary_data_size").asLong()).isEqualTo(10);
    byte[] expected =
        concat(array(le(8).putInt(1).putInt(-2)), bytesElements(utf8("xy"), new byte[0]));
    assertThat(Arrays.copyOfRange(r.body(), h, r.body().length)).isEqualTo(expected);
  }

  @Test
  void encode_emptyBinaryOutput_stillSignalsBinary() {
    Tensor a = fixed("a", DataType.FP32, new long[] {0, 3}, le(0));
    EncodedResponse r = encoder.encode("m", "1", null, List.of(a), Set.of("a"));
    assertThat(r.inferenceHeaderContentLength()).isEqualTo(r.body().length);
    assertThat(text(r)).contains(json("'shape':[0,3],'parameters':{'binary_data_size':0}"));
  }

  @Test
  void encode_noOutputs_writesEmptyArray() {
    EncodedResponse r = encoder.encode("m", "v", null, List.of(), Set.of("ignored"));
    assertThat(text(r)).isEqualTo(json("{'model_name':'m','model_version':'v','outputs':[]}"));
  }

  @Test
  void encode_hostileNamesAndId_escaped() {
    Tensor t = fixed("a\"}", DataType.INT8, new long[] {1}, le(1));
    EncodedResponse r = encoder.encode("m\n", "1", "\"x", List.of(t), Set.of());
    JsonNode root = parse(text(r));
    assertThat(root.get("model_name").asText()).isEqualTo("m\n");
    assertThat(root.get("id").asText()).isEqualTo("\"x");
    assertThat(root.get("outputs").get(0).get("name").asText()).isEqualTo("a\"}");
  }

  @Test
  void encode_largeOutput_growsBufferCorrectly() {
    int n = 300_000;
    ByteBuffer d = le(n * 8);
    for (int i = 0; i < n; i++) {
      d.putDouble(i * 1.0000001);
    }
    JsonNode data = data(jsonOf(fixed("y", DataType.FP64, new long[] {n}, d)));
    assertThat(data.size()).isEqualTo(n);
    assertThat(data.get(n - 1).doubleValue()).isEqualTo((n - 1) * 1.0000001);
  }

  private static JsonNode parse(String s) {
    try {
      return MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode data(String s) {
    return parse(s).get("outputs").get(0).get("data");
  }
}
