package io.bulwark.server.internal.oip;

import static io.bulwark.server.internal.oip.Bodies.array;
import static io.bulwark.server.internal.oip.Bodies.bytesElements;
import static io.bulwark.server.internal.oip.Bodies.concat;
import static io.bulwark.server.internal.oip.Bodies.json;
import static io.bulwark.server.internal.oip.Bodies.le;
import static io.bulwark.server.internal.oip.Bodies.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.Limits;
import io.bulwark.inference.DataType;
import io.bulwark.inference.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class OipRequestDecoderTest {
  private final OipRequestDecoder decoder = new OipRequestDecoder(Limits.defaults());

  private InferenceRequest decode(String singleQuotedJson) {
    return decoder.decode(utf8(json(singleQuotedJson)), null);
  }

  private static String input(String name, String datatype, String shape, String data) {
    return "{'name':'"
        + name
        + "','datatype':'"
        + datatype
        + "','shape':"
        + shape
        + ",'data':"
        + data
        + "}";
  }

  private InferenceRequest decodeInput(String datatype, String shape, String data) {
    // Padding after the data keeps the cheap "the rest of the body is too short" check from
    // pre-empting the element-by-element checks these tests exercise.
    String pad = ",'pad':'" + " ".repeat(64) + "'";
    return decode("{'inputs':[" + input("x", datatype, shape, data) + "]" + pad + "}");
  }

  private Tensor tensor(String datatype, String shape, String data) {
    return decodeInput(datatype, shape, data).inputs().get(0);
  }

  private byte[] bytes(String datatype, String shape, String data) {
    return array(tensor(datatype, shape, data).data());
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(
      ThrowingCallable call, String... fragments) {
    AbstractThrowableAssert<?, ? extends Throwable> a =
        assertThatThrownBy(call).isInstanceOf(InvalidRequestException.class);
    for (String f : fragments) {
      a.hasMessageContaining(f);
    }
    return a;
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertLimit(
      ThrowingCallable call, String limit) {
    return assertThatThrownBy(call)
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining(limit)
        .satisfies(e -> assertThat(((LimitExceededException) e).limit()).isEqualTo(limit));
  }

  // --- the specification's examples ---

  @Test
  void decode_specificationExample_returnsTensorsAndOutputs() {
    InferenceRequest r =
        decode(
            "{'id':'42','inputs':[{'name':'input0','shape':[2,2],'datatype':'UINT32',"
                + "'data':[1,2,3,4]},{'name':'input1','shape':[3],'datatype':'BOOL',"
                + "'data':[true,false,true]}],'outputs':[{'name':'output0'}]}");
    assertThat(r.id()).isEqualTo("42");
    assertThat(r.inputs()).hasSize(2);
    Tensor in0 = r.inputs().get(0);
    assertThat(in0.name()).isEqualTo("input0");
    assertThat(in0.datatype()).isEqualTo(DataType.UINT32);
    assertThat(in0.shape()).containsExactly(2, 2);
    assertThat(array(in0.data())).isEqualTo(array(le(16).putInt(1).putInt(2).putInt(3).putInt(4)));
    assertThat(array(r.inputs().get(1).data())).containsExactly(1, 0, 1);
    assertThat(r.outputs()).containsExactly(new RequestedOutput("output0", false));
    assertThat(r.outputNames()).containsExactly("output0");
    assertThat(r.binaryDataOutputDefault()).isFalse();
  }

  @Test
  void decode_tritonBinaryExample_readsBinaryInputsInOrder() {
    String header =
        json(
            "{'model_name':'mymodel','inputs':[{'name':'input0','shape':[2,2],'datatype':'UINT32',"
                + "'parameters':{'binary_data_size':16}},{'name':'input1','shape':[3],"
                + "'datatype':'BOOL','parameters':{'binary_data_size':3}}],"
                + "'outputs':[{'name':'output0','parameters':{'binary_data':true}}]}");
    byte[] in0 = array(le(16).putInt(1).putInt(2).putInt(3).putInt(4));
    byte[] in1 = {1, 1, 0};
    byte[] body = concat(utf8(header), in0, in1);
    InferenceRequest r = decoder.decode(body, Integer.toString(utf8(header).length));
    assertThat(array(r.inputs().get(0).data())).isEqualTo(in0);
    assertThat(array(r.inputs().get(1).data())).isEqualTo(in1);
    assertThat(r.outputs()).containsExactly(new RequestedOutput("output0", true));
    assertThat(r.wantsBinary("output0")).isTrue();
    assertThat(r.wantsBinary("other")).isFalse();
  }

  // --- every datatype, JSON ---

  @Test
  void decode_everyFixedTypeAsJson_storesLittleEndian() {
    assertThat(bytes("BOOL", "[3]", "[true,false,true]")).containsExactly(1, 0, 1);
    assertThat(bytes("UINT8", "[2]", "[0,255]")).containsExactly(0, 0xFF);
    assertThat(bytes("INT8", "[2]", "[-128,127]")).containsExactly(0x80, 0x7F);
    assertThat(bytes("UINT16", "[2]", "[65535,1]")).containsExactly(0xFF, 0xFF, 1, 0);
    assertThat(bytes("INT16", "[2]", "[-32768,32767]"))
        .isEqualTo(array(le(4).putShort(Short.MIN_VALUE).putShort(Short.MAX_VALUE)));
    assertThat(bytes("UINT32", "[2]", "[4294967295,0]"))
        .isEqualTo(array(le(8).putInt(-1).putInt(0)));
    assertThat(bytes("INT32", "[2]", "[-2147483648,2147483647]"))
        .isEqualTo(array(le(8).putInt(Integer.MIN_VALUE).putInt(Integer.MAX_VALUE)));
    assertThat(bytes("UINT64", "[3]", "[18446744073709551615,9223372036854775808,7]"))
        .isEqualTo(array(le(24).putLong(-1L).putLong(Long.MIN_VALUE).putLong(7)));
    assertThat(bytes("INT64", "[2]", "[-9223372036854775808,9223372036854775807]"))
        .isEqualTo(array(le(16).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE)));
    assertThat(bytes("FP32", "[3]", "[1.5,-2,3.4028235e38]"))
        .isEqualTo(array(le(12).putFloat(1.5f).putFloat(-2f).putFloat(Float.MAX_VALUE)));
    assertThat(bytes("FP64", "[3]", "[1e308,-0.0,4.9e-324]"))
        .isEqualTo(array(le(24).putDouble(1e308).putDouble(-0.0).putDouble(Double.MIN_VALUE)));
  }

  @Test
  void decode_bytesAsJson_storesUtf8() {
    Tensor t = tensor("BYTES", "[3]", "['a','','\\u00e9\\ud83d\\ude00']");
    assertThat(t.datatype()).isEqualTo(DataType.BYTES);
    assertThat(t.bytesElements())
        .containsExactly(utf8("a"), new byte[0], "é😀".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decode_fp32_roundsDecimalOnceToNearestFloat() {
    // Just above the midpoint between 1 and the next float: rounding through double would tie
    // and round down to 1; correct rounding goes up.
    ByteBuffer d = tensor("FP32", "[2]", "[1.00000005960464477539062500000000001,16777217]").data();
    assertThat(d.getFloat(0)).isEqualTo(Math.nextUp(1f));
    assertThat(d.getFloat(4)).isEqualTo(16777216f);
  }

  @Test
  void decode_randomDecimals_roundLikeTheJdk() {
    Random random = new Random(5);
    int n = 2000;
    String[] texts = new String[n];
    StringBuilder data = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      StringBuilder t = new StringBuilder(random.nextBoolean() ? "-" : "");
      t.append(1 + random.nextInt(9));
      int digits = random.nextInt(25);
      if (digits > 0) {
        t.append('.');
        for (int d = 0; d < digits; d++) {
          t.append(random.nextInt(10));
        }
      }
      t.append('e').append(random.nextInt(70) - 45);
      texts[i] = t.toString();
      data.append(i == 0 ? "" : ",").append(texts[i]);
    }
    String json = data.append(']').toString();
    ByteBuffer f32 = tensor("FP32", "[" + n + "]", json).data();
    ByteBuffer f64 = tensor("FP64", "[" + n + "]", json).data();
    for (int i = 0; i < n; i++) {
      assertThat(f32.getFloat(i * 4)).as(texts[i]).isEqualTo(Float.parseFloat(texts[i]));
      assertThat(f64.getDouble(i * 8)).as(texts[i]).isEqualTo(Double.parseDouble(texts[i]));
    }
  }

  @Test
  void decode_fp32OutOfRange_throws() {
    assertInvalid(() -> tensor("FP32", "[1]", "[3.5e38]"), "input 'x'", "element 0", "FP32");
    assertInvalid(() -> tensor("FP32", "[2]", "[0,-1e39]"), "element 1", "out of range");
    assertInvalid(() -> tensor("FP32", "[1]", "[1" + "0".repeat(40) + "]"), "out of range");
    assertThat(tensor("FP32", "[1]", "[1e-50]").data().getFloat(0)).isZero();
  }

  @Test
  void decode_fp64OutOfRange_throws() {
    assertInvalid(() -> tensor("FP64", "[1]", "[1e309]"), "out of range for FP64");
  }

  @Test
  void decode_integersAtTheirLimits_acceptedJustInsideRefusedJustOutside() {
    String[][] cases = {
      {"INT8", "-128", "127", "-129", "128"},
      {"UINT8", "0", "255", "-1", "256"},
      {"INT16", "-32768", "32767", "-32769", "32768"},
      {"UINT16", "0", "65535", "-1", "65536"},
      {"INT32", "-2147483648", "2147483647", "-2147483649", "2147483648"},
      {"UINT32", "0", "4294967295", "-1", "4294967296"},
      {
        "INT64",
        "-9223372036854775808",
        "9223372036854775807",
        "-9223372036854775809",
        "9223372036854775808"
      },
      {"UINT64", "0", "18446744073709551615", "-1", "18446744073709551616"},
    };
    for (String[] c : cases) {
      assertThat(tensor(c[0], "[2]", "[" + c[1] + "," + c[2] + "]").elementCount()).isEqualTo(2);
      assertInvalid(() -> tensor(c[0], "[1]", "[" + c[3] + "]"), "out of range for " + c[0]);
      assertInvalid(() -> tensor(c[0], "[1]", "[" + c[4] + "]"), "out of range for " + c[0]);
    }
  }

  @Test
  void decode_wrongJsonTypeForElement_throws() {
    assertInvalid(() -> tensor("INT32", "[1]", "[1.0]"), "element 0 must be an integer");
    assertInvalid(() -> tensor("INT32", "[1]", "['1']"), "must be an integer");
    assertInvalid(() -> tensor("UINT64", "[1]", "[1.5]"), "must be an integer");
    assertInvalid(() -> tensor("BOOL", "[1]", "[1]"), "must be true or false");
    assertInvalid(() -> tensor("FP32", "[1]", "[true]"), "must be a number");
    assertInvalid(() -> tensor("FP64", "[1]", "[null]"), "must be a number");
    assertInvalid(() -> tensor("BYTES", "[1]", "[1]"), "must be a string");
    assertInvalid(() -> tensor("BYTES", "[2]", "['a',{}]"), "element 1 must be a string");
  }

  @Test
  void decode_bytesWithUnpairedSurrogate_throws() {
    assertInvalid(() -> tensor("BYTES", "[1]", "['a\\ud800b']"), "unpaired");
  }

  @Test
  void decode_halfPrecisionAsJson_throwsAskingForBinary() {
    assertInvalid(() -> tensor("FP16", "[1]", "[1.0]"), "FP16", "binary");
    assertInvalid(() -> tensor("BF16", "[1]", "[1.0]"), "BF16", "binary");
  }

  @Test
  void decode_unknownDatatype_namesIt() {
    assertInvalid(() -> tensor("FLOAT32", "[1]", "[1]"), "unknown datatype 'FLOAT32'");
    assertInvalid(() -> tensor("fp32", "[1]", "[1]"), "unknown datatype 'fp32'");
    String longName = "Z".repeat(1000);
    assertInvalid(() -> tensor(longName, "[1]", "[1]"), "unknown datatype")
        .hasMessageNotContaining(longName)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  // --- shapes and nesting ---

  @Test
  void decode_nestedData_equalsFlatData() {
    byte[] flat = bytes("INT32", "[2,3]", "[1,2,3,4,5,6]");
    assertThat(bytes("INT32", "[2,3]", "[[1,2,3],[4,5,6]]")).isEqualTo(flat);
    assertThat(bytes("INT32", "[2,1,3]", "[[[1,2,3]],[[4,5,6]]]")).isEqualTo(flat);
    assertThat(tensor("BYTES", "[2,2]", "[['a','b'],['c','d']]").bytesElements())
        .containsExactly(utf8("a"), utf8("b"), utf8("c"), utf8("d"));
  }

  @Test
  void decode_emptyAndScalarShapes_accepted() {
    assertThat(tensor("FP32", "[0]", "[]").elementCount()).isZero();
    assertThat(tensor("FP32", "[2,0]", "[[],[]]").elementCount()).isZero();
    assertThat(tensor("FP32", "[2,0]", "[]").elementCount()).isZero();
    assertThat(tensor("FP32", "[0,3]", "[]").elementCount()).isZero();
    Tensor scalar = tensor("INT64", "[]", "[7]");
    assertThat(scalar.rank()).isZero();
    assertThat(scalar.data().getLong(0)).isEqualTo(7);
  }

  @Test
  void decode_nestingNotMatchingShape_throws() {
    assertInvalid(() -> tensor("INT32", "[2,3]", "[[1,2],[3,4,5]]"), "nesting", "[2, 3]");
    assertInvalid(() -> tensor("INT32", "[2,3]", "[[1,2,3,4],[5,6]]"), "nesting");
    assertInvalid(() -> tensor("INT32", "[2,3]", "[[1,2,3]]"), "nesting");
    assertInvalid(() -> tensor("INT32", "[2,3]", "[[1,2,3],[4,5,6],[7,8,9]]"), "nesting");
    assertInvalid(() -> tensor("INT32", "[2,3]", "[[1,2,3],4,5,6]"), "nesting");
    assertInvalid(() -> tensor("INT32", "[6]", "[[1,2,3],[4,5,6]]"), "nested deeper");
    assertInvalid(() -> tensor("INT32", "[]", "[[1]]"), "nested deeper");
    assertInvalid(() -> tensor("INT32", "[2,3]", "[1,2,3,[4,5,6]]"), "nesting");
    assertInvalid(() -> tensor("INT32", "[1,1]", "[[[1]]]"), "nesting");
    assertInvalid(() -> tensor("INT32", "[2,2,1]", "[[1,2],[3,4]]"), "nesting");
  }

  @Test
  void decode_flatDataWithWrongElementCount_throws() {
    assertInvalid(() -> tensor("FP32", "[2,2]", "[1,2,3]"), "has 3 elements", "requires 4");
    assertInvalid(() -> tensor("FP32", "[2,2]", "[1,2,3,4,5]"), "more than the 4 elements");
    assertInvalid(() -> tensor("FP32", "[3]", "[]"), "has 0 elements");
    assertInvalid(() -> tensor("BYTES", "[2]", "['a']"), "has 1 elements");
    assertInvalid(() -> tensor("FP32", "[]", "[]"), "requires 1");
  }

  @Test
  void decode_badShape_throws() {
    assertInvalid(() -> tensor("FP32", "[-1]", "[]"), "dimension 0", "negative");
    assertInvalid(() -> tensor("FP32", "[2,-3]", "[]"), "dimension 1", "negative");
    assertInvalid(() -> tensor("FP32", "[2.0]", "[1,2]"), "array of integers");
    assertInvalid(() -> tensor("FP32", "['2']", "[1,2]"), "array of integers");
    assertInvalid(() -> tensor("FP32", "[[2]]", "[1,2]"), "array of integers");
    assertInvalid(() -> tensor("FP32", "2", "[1,2]"), "array of integers");
    assertInvalid(() -> tensor("FP32", "[18446744073709551615]", "[1]"), "too large");
    String rank32 = "[" + "1,".repeat(31) + "1]";
    assertThat(tensor("FP32", rank32, "[1]").rank()).isEqualTo(32);
    String rank33 = "[" + "1,".repeat(32) + "1]";
    assertInvalid(() -> tensor("FP32", rank33, "[1]"), "more than 32 dimensions");
  }

  @Test
  void decode_shapeWhoseElementCountOverflows_throws() {
    long big = 1L << 62;
    assertInvalid(() -> tensor("FP32", "[" + big + ",4]", "[1]"), "too many elements");
    // Overflow part-way is refused even if a later 0 would make the product 0, as in Tensor.
    assertInvalid(() -> tensor("FP32", "[" + big + ",4,0]", "[]"), "too many elements");
    assertInvalid(
        () -> tensor("FP32", "[" + Long.MAX_VALUE + "," + Long.MAX_VALUE + "]", "[]"),
        "too many elements");
  }

  @Test
  void decode_hugeShapeWithTinyData_refusedWithoutAllocating() {
    // With the element budget out of the way, 10^9 FP64 elements would be 8 GB if allocated.
    OipRequestDecoder lax =
        new OipRequestDecoder(Limits.defaults().withMaxTensorElements(Long.MAX_VALUE));
    for (String type : List.of("FP64", "BYTES", "BOOL")) {
      byte[] body = utf8(json("{'inputs':[" + input("x", type, "[1000000000]", "[]") + "]}"));
      assertInvalid(() -> lax.decode(body, null), "cannot hold the 1000000000 elements");
    }
    // The same for a binary input: the size must match before anything is built.
    byte[] header =
        utf8(
            json(
                "{'inputs':[{'name':'x','datatype':'BYTES','shape':[1000000000],"
                    + "'parameters':{'binary_data_size':4}}]}"));
    byte[] body = concat(header, new byte[4]);
    assertInvalid(() -> lax.decode(body, "" + header.length), "too small");
  }

  // --- limits ---

  @Test
  void decode_elementCountAtLimit_acceptedAndAboveLimit_refused() {
    OipRequestDecoder d = new OipRequestDecoder(Limits.defaults().withMaxTensorElements(10));
    String ten = "[0,0,0,0,0,0,0,0,0,0]";
    String eleven = "[0,0,0,0,0,0,0,0,0,0,0]";
    assertThat(
            d.decode(utf8(json("{'inputs':[" + input("x", "INT8", "[10]", ten) + "]}")), null)
                .inputs())
        .hasSize(1);
    assertLimit(
        () -> d.decode(utf8(json("{'inputs':[" + input("x", "INT8", "[11]", eleven) + "]}")), null),
        "limits.max_tensor_elements");
    // The budget covers all inputs together.
    String five = "[0,0,0,0,0]";
    String six = "[0,0,0,0,0,0]";
    assertThat(
            d.decode(
                    utf8(
                        json(
                            "{'inputs':["
                                + input("a", "INT8", "[5]", five)
                                + ","
                                + input("b", "INT8", "[5]", five)
                                + "]}")),
                    null)
                .inputs())
        .hasSize(2);
    assertLimit(
        () ->
            d.decode(
                utf8(
                    json(
                        "{'inputs':["
                            + input("a", "INT8", "[5]", five)
                            + ","
                            + input("b", "INT8", "[6]", six)
                            + "]}")),
                null),
        "limits.max_tensor_elements");
    // A huge shape hits the budget before anything else.
    assertLimit(
        () -> d.decode(utf8(json("{'inputs':[" + input("x", "INT8", "[11]", "[]") + "]}")), null),
        "limits.max_tensor_elements");
  }

  @Test
  void decode_depthAtLimit_acceptedAndAboveLimit_refused() {
    // The root object is depth 1, "inputs" 2, an input 3, its "data" 4, nested rows 5 and 6.
    OipRequestDecoder d = new OipRequestDecoder(Limits.defaults().withMaxJsonDepth(6));
    byte[] atLimit = utf8(json("{'inputs':[" + input("x", "INT8", "[1,1,2]", "[[[1,2]]]") + "]}"));
    assertThat(d.decode(atLimit, null).inputs().get(0).elementCount()).isEqualTo(2);
    byte[] above =
        utf8(json("{'inputs':[" + input("x", "INT8", "[1,1,1,2]", "[[[[1,2]]]]") + "]}"));
    assertLimit(() -> d.decode(above, null), "limits.max_json_depth");
    // Ignored fields are bounded too.
    String okField = "{'x':[[[[[]]]]]," + "'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}";
    assertThat(d.decode(utf8(json(okField)), null).inputs()).hasSize(1);
    String deepField =
        "{'x':[[[[[[]]]]]]," + "'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}";
    assertLimit(() -> d.decode(utf8(json(deepField)), null), "limits.max_json_depth");
  }

  @Test
  void decode_veryDeepNesting_refusedAsLimitNotStackOverflow() {
    String deep = "{'x':" + "[".repeat(100_000) + "]".repeat(100_000) + ",'inputs':[]}";
    assertLimit(() -> decode(deep), "limits.max_json_depth");
    String rank32 = "[" + "1,".repeat(31) + "1]";
    String deepData =
        "{'inputs':[" + input("x", "INT8", rank32, "[".repeat(5000) + "]".repeat(5000)) + "]}";
    assertLimit(() -> decode(deepData), "limits.max_json_depth");
  }

  @Test
  void decode_bodyAtSizeLimit_acceptedAndAboveLimit_refused() {
    byte[] body = utf8(json("{'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}"));
    OipRequestDecoder exact =
        new OipRequestDecoder(Limits.defaults().withMaxRequestBytes(body.length));
    assertThat(exact.decode(body, null).inputs()).hasSize(1);
    OipRequestDecoder small =
        new OipRequestDecoder(Limits.defaults().withMaxRequestBytes(body.length - 1));
    assertLimit(() -> small.decode(body, null), "limits.max_request_bytes");
  }

  @Test
  void decode_inputCountAtLimit_acceptedAndAboveLimit_refused() {
    assertThat(decode(manyInputs(128)).inputs()).hasSize(128);
    assertInvalid(() -> decode(manyInputs(129)), "more than 128 inputs");
  }

  private static String manyInputs(int n) {
    StringBuilder sb = new StringBuilder("{'inputs':[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(input("in" + i, "INT8", "[1]", "[1]"));
    }
    return sb.append("]}").toString();
  }

  @Test
  void decode_outputCountAtLimit_acceptedAndAboveLimit_refused() {
    assertThat(decode(manyOutputs(128)).outputs()).hasSize(128);
    assertInvalid(() -> decode(manyOutputs(129)), "more than 128 outputs");
  }

  private static String manyOutputs(int n) {
    StringBuilder sb = new StringBuilder("{'inputs':[" + input("x", "INT8", "[1]", "[1]"));
    sb.append("],'outputs':[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{'name':'out").append(i).append("'}");
    }
    return sb.append("]}").toString();
  }

  @Test
  void decode_nameLengthAtLimit_acceptedAndAboveLimit_refused() {
    String ok = "n".repeat(256);
    assertThat(
            decode("{'inputs':[" + input(ok, "INT8", "[1]", "[1]") + "]}").inputs().get(0).name())
        .isEqualTo(ok);
    String tooLong = "n".repeat(257);
    assertInvalid(
        () -> decode("{'inputs':[" + input(tooLong, "INT8", "[1]", "[1]") + "]}"),
        "longer than 256");
    assertInvalid(() -> decode("{'inputs':[" + input("", "INT8", "[1]", "[1]") + "]}"), "empty");
  }

  @Test
  void decode_idLengthAtLimit_acceptedAndAboveLimit_refused() {
    String in = input("x", "INT8", "[1]", "[1]");
    assertThat(decode("{'id':'" + "i".repeat(256) + "','inputs':[" + in + "]}").id()).hasSize(256);
    assertInvalid(() -> decode("{'id':'" + "i".repeat(257) + "','inputs':[" + in + "]}"), "'id'");
    assertInvalid(() -> decode("{'id':42,'inputs':[" + in + "]}"), "'id' must be a string");
    assertThat(decode("{'id':null,'inputs':[" + in + "]}").id()).isNull();
  }

  @Test
  void decode_numberLongerThanParserLimit_refusedWithoutEchoingIt() {
    String digits = "7".repeat(1001);
    assertInvalid(() -> tensor("FP64", "[1]", "[" + digits + "]"), "number longer than 1000")
        .hasMessageNotContaining("7777");
    String longest = "0." + "1".repeat(998); // exactly 1000 characters
    assertThat(tensor("FP64", "[1]", "[" + longest + "]").data().getDouble(0))
        .isEqualTo(Double.parseDouble(longest));
  }

  // --- request structure ---

  @Test
  void decode_requestParameters_keepsScalarsWithTheirTypes() {
    InferenceRequest r =
        decode(
            "{'parameters':{'s':'v','i':3,'f':0.5,'b':true,'binary_data_output':true},"
                + "'inputs':["
                + input("x", "INT8", "[1]", "[1]")
                + "]}");
    assertThat(r.parameters())
        .containsExactly(
            Map.entry("s", "v"),
            Map.entry("i", 3L),
            Map.entry("f", 0.5),
            Map.entry("b", true),
            Map.entry("binary_data_output", true));
    assertThat(r.binaryDataOutputDefault()).isTrue();
  }

  @Test
  void decode_nonScalarParameter_throws() {
    String in = ",'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}";
    assertInvalid(() -> decode("{'parameters':{'a':{}}" + in), "parameter 'a'", "string, number");
    assertInvalid(() -> decode("{'parameters':{'a':[1]}" + in), "parameter 'a'");
    assertInvalid(() -> decode("{'parameters':{'a':null}" + in), "parameter 'a'");
    assertInvalid(() -> decode("{'parameters':[]" + in), "must be an object");
    assertInvalid(() -> decode("{'parameters':{'a':1" + "0".repeat(30) + "}" + in), "out of range");
    assertInvalid(() -> decode("{'parameters':{'binary_data_output':1}" + in), "must be a boolean");
    assertInvalid(
        () -> decode("{'parameters':{'a':'" + "v".repeat(4097) + "'}" + in), "longer than 4096");
  }

  @Test
  void decode_parameterCountAtLimit_acceptedAndAboveLimit_refused() {
    String in = ",'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}";
    assertThat(decode("{'parameters':" + params(64) + in).parameters()).hasSize(64);
    assertInvalid(() -> decode("{'parameters':" + params(65) + in), "more than 64");
  }

  private static String params(int n) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("'p").append(i).append("':").append(i);
    }
    return sb.append('}').toString();
  }

  @Test
  void decode_outputBinaryData_overridesRequestDefault() {
    String in = "'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]";
    // The request's parameters come after the outputs: the default still applies.
    InferenceRequest r =
        decode(
            "{"
                + in
                + ",'outputs':[{'name':'a'},{'name':'b','parameters':{'binary_data':false}},"
                + "{'name':'c','parameters':{'binary_data':true}}],"
                + "'parameters':{'binary_data_output':true}}");
    assertThat(r.outputs())
        .containsExactly(
            new RequestedOutput("a", true),
            new RequestedOutput("b", false),
            new RequestedOutput("c", true));
    assertThat(r.wantsBinary("unlisted")).isTrue();
  }

  @Test
  void decode_unsupportedOutputParameters_throw() {
    String in = "{'inputs':[" + input("x", "INT8", "[1]", "[1]") + "],'outputs':[";
    assertInvalid(
        () -> decode(in + "{'name':'y','parameters':{'classification':2}}]}"),
        "output 'y'",
        "classification",
        "not supported");
    assertInvalid(
        () -> decode(in + "{'name':'y','parameters':{'binary_data':'yes'}}]}"),
        "binary_data must be a boolean");
    assertInvalid(
        () -> decode(in + "{'name':'y','parameters':{'shared_memory_region':'r'}}]}"),
        "shared memory");
    assertInvalid(() -> decode(in + "{'name':'y','extra':1}]}"), "unknown field 'extra'");
    assertInvalid(() -> decode(in + "{'parameters':{}}]}"), "outputs[0]", "missing 'name'");
    assertInvalid(() -> decode(in + "'y']}"), "outputs[0] must be an object");
    assertInvalid(() -> decode(in + "{'name':'y'},{'name':'y'}]}"), "duplicate output name 'y'");
  }

  @Test
  void decode_emptyOrNullOutputs_meanAllOutputs() {
    String in = "'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]";
    assertThat(decode("{" + in + ",'outputs':[]}").outputNames()).isEmpty();
    assertThat(decode("{" + in + ",'outputs':null}").outputNames()).isEmpty();
    assertInvalid(() -> decode("{" + in + ",'outputs':{}}"), "'outputs' must be an array");
  }

  @Test
  void decode_badInputsStructure_throws() {
    assertInvalid(() -> decode("{}"), "no 'inputs'");
    assertInvalid(() -> decode("{'outputs':[]}"), "no 'inputs'");
    assertInvalid(() -> decode("{'inputs':[]}"), "must not be empty");
    assertInvalid(() -> decode("{'inputs':{}}"), "'inputs' must be an array");
    assertInvalid(() -> decode("{'inputs':[1]}"), "inputs[0] must be an object");
    assertInvalid(
        () -> decode("{'inputs':[{'datatype':'INT8','shape':[1],'data':[1]}]}"),
        "inputs[0]",
        "missing 'name'");
    assertInvalid(
        () -> decode("{'inputs':[{'name':'x','datatype':'INT8','data':[1]}]}"),
        "input 'x'",
        "missing 'shape'");
    assertInvalid(
        () -> decode("{'inputs':[{'name':'x','shape':[1],'data':[1]}]}"), "missing 'datatype'");
    assertInvalid(
        () -> decode("{'inputs':[{'name':'x','shape':[1],'datatype':'INT8'}]}"),
        "neither 'data' nor");
    assertInvalid(
        () -> decode("{'inputs':[{'name':'x','shape':[1],'datatype':'INT8','data':null}]}"),
        "neither 'data' nor");
    assertInvalid(
        () -> decode("{'inputs':[{'name':'x','shape':[1],'datatype':'INT8','data':1}]}"),
        "'data' must be an array");
    assertInvalid(
        () -> decode("{'inputs':[{'name':'x','shape':[1],'datatype':8,'data':[1]}]}"),
        "'datatype' must be a string");
    assertInvalid(
        () -> decode("{'inputs':[{'name':1,'shape':[1],'datatype':'INT8','data':[1]}]}"),
        "'name' must be a string");
    assertInvalid(
        () ->
            decode(
                "{'inputs':[{'name':'x','shape':[1],'datatype':'INT8','data':[1],'dtype':'x'}]}"),
        "unknown field 'dtype'");
    assertInvalid(
        () ->
            decode(
                "{'inputs':["
                    + input("x", "INT8", "[1]", "[1]")
                    + ","
                    + input("x", "INT8", "[1]", "[2]")
                    + "]}"),
        "duplicate input name 'x'");
    assertInvalid(
        () ->
            decode(
                "{'inputs':[{'name':'x','shape':[1],'datatype':'INT8','data':[1],"
                    + "'parameters':{'shared_memory_region':'r'}}]}"),
        "shared memory");
  }

  @Test
  void decode_unknownTopLevelFields_ignored() {
    InferenceRequest r =
        decode(
            "{'model_name':'m','model_version':'1','extra':{'a':[1,{'b':null}]},"
                + "'inputs':["
                + input("x", "INT8", "[1]", "[1]")
                + "]}");
    assertThat(r.inputs()).hasSize(1);
  }

  @Test
  void decode_dataBeforeShapeAndDatatype_decodedTheSame() {
    byte[] expected = bytes("INT16", "[2,2]", "[1,2,3,4]");
    InferenceRequest r =
        decode("{'inputs':[{'data':[[1,2],[3,4]],'name':'x','datatype':'INT16','shape':[2,2]}]}");
    assertThat(array(r.inputs().get(0).data())).isEqualTo(expected);
    // Offsets into the body are bytes, so multi-byte characters before "data" must not matter.
    InferenceRequest s =
        decode(
            "{'id':'ééé','inputs':[{'name':'é','data':[1,2,3,4],'shape':[2,2],"
                + "'datatype':'INT16'}]}");
    assertThat(array(s.inputs().get(0).data())).isEqualTo(expected);
    assertInvalid(
        () -> decode("{'inputs':[{'data':[1,2,3],'name':'x','datatype':'INT16','shape':[2,2]}]}"),
        "input 'x'",
        "has 3 elements");
    assertInvalid(
        () -> decode("{'inputs':[{'data':[1,2],'name':'x','datatype':'FP16','shape':[2]}]}"),
        "FP16");
  }

  // --- JSON syntax ---

  @Test
  void decode_malformedJson_reportsPositionWithoutEchoingInput() {
    assertInvalid(() -> decode("{'inputs': secrettoken}"), "invalid JSON at line 1 column")
        .hasMessageNotContaining("secrettoken")
        .hasMessageNotContaining("Source")
        .satisfies(e -> assertThat(e.getCause()).isNull());
    assertInvalid(() -> decode("{'id':'a'"), "unexpected end of input");
    assertInvalid(() -> decode("{'inputs':[{'name':'x','data':[1,"), "unexpected end of input");
    assertInvalid(() -> decode(""), "must be a JSON object");
    assertInvalid(() -> decode("  "), "must be a JSON object");
    assertInvalid(() -> decode("[]"), "must be a JSON object");
    assertInvalid(() -> decode("'a'"), "must be a JSON object");
    assertInvalid(() -> decode("{'a':01}"), "malformed number");
    assertInvalid(() -> decode("{'a':NaN}"), "invalid JSON");
    assertInvalid(() -> decode("{'a':'x\ny'}"), "control character");
    assertInvalid(() -> decode("{a:1}"), "invalid JSON");
    assertInvalid(() -> decode("{'a':1,}"), "invalid JSON");
    assertInvalid(() -> decode("{'a':1} // comment"), "invalid JSON");
  }

  @Test
  void decode_invalidUtf8_refused() {
    byte[] bad = {(byte) 0xFF, (byte) 0xFE};
    byte[] ignored = concat(utf8("{\"a\":[\""), bad, utf8("\"]}"));
    assertInvalid(() -> decoder.decode(ignored, null), "malformed UTF-8 at byte 7");
    byte[] id = concat(utf8("{\"id\":\""), bad, utf8("\"}"));
    assertInvalid(() -> decoder.decode(id, null), "malformed UTF-8");
    // Jackson alone would read these as '/' and as two lone surrogates.
    for (byte[] seq :
        List.of(
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xE2, (byte) 0x82})) {
      byte[] body = concat(utf8("{\"a\":\""), seq, utf8("\"}"));
      assertInvalid(() -> decoder.decode(body, null), "malformed UTF-8 at byte 6");
    }
  }

  @Test
  void decode_duplicateKeys_refused() {
    String in = "'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]";
    assertInvalid(() -> decode("{" + in + "," + in + "}"), "duplicate field");
    assertInvalid(
        () ->
            decode("{'inputs':[{'name':'x','name':'y','shape':[1],'datatype':'INT8','data':[1]}]}"),
        "duplicate field");
    assertInvalid(() -> decode("{'parameters':{'a':1,'a':2}," + in + "}"), "duplicate field");
    assertInvalid(() -> decode("{'id':'a','id':'b'," + in + "}"), "duplicate field");
  }

  @Test
  void decode_trailingGarbage_refused() {
    String ok = "{'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}";
    assertThat(decode(ok + " \n\t ").inputs()).hasSize(1);
    assertInvalid(() -> decode(ok + "x"), "invalid JSON");
    assertInvalid(() -> decode(ok + "{}"), "after the JSON object");
    assertInvalid(() -> decode(ok + "1"), "after the JSON object");
    byte[] withNul = concat(utf8(json(ok)), new byte[] {0});
    assertInvalid(() -> decoder.decode(withNul, null), "invalid JSON");
  }

  // --- binary tensor data ---

  private static String binaryInput(String name, String datatype, String shape, long size) {
    return "{'name':'"
        + name
        + "','datatype':'"
        + datatype
        + "','shape':"
        + shape
        + ",'parameters':{'binary_data_size':"
        + size
        + "}}";
  }

  private InferenceRequest decodeBinary(String inputsJson, byte[]... data) {
    byte[] header = utf8(json("{'inputs':[" + inputsJson + "]}"));
    return decoder.decode(concat(header, concat(data)), Integer.toString(header.length));
  }

  @Test
  void decode_everyTypeAsBinary_keepsBytes() {
    for (DataType type : DataType.values()) {
      if (!type.isFixedSize()) {
        continue;
      }
      byte[] data = new byte[3 * type.byteSize()];
      for (int i = 0; i < data.length; i++) {
        data[i] = type == DataType.BOOL ? (byte) (i % 2) : (byte) (i * 37 + 5);
      }
      Tensor t =
          decodeBinary(binaryInput("x", type.wireName(), "[3]", data.length), data).inputs().get(0);
      assertThat(t.datatype()).isEqualTo(type);
      assertThat(array(t.data())).as(type.toString()).isEqualTo(data);
    }
    byte[] odd = {(byte) 0xC3, 0x28};
    byte[] bytes = bytesElements(utf8("ab"), new byte[0], odd);
    Tensor t = decodeBinary(binaryInput("s", "BYTES", "[3]", bytes.length), bytes).inputs().get(0);
    assertThat(t.bytesElements()).containsExactly(utf8("ab"), new byte[0], odd);
  }

  @Test
  void decode_mixedJsonAndBinaryInputs_consumeBinaryInInputOrder() {
    byte[] a = {1, 2};
    byte[] c = array(le(8).putFloat(1f).putFloat(2f));
    InferenceRequest r =
        decodeBinary(
            binaryInput("a", "UINT8", "[2]", 2)
                + ","
                + input("b", "INT8", "[1]", "[5]")
                + ","
                + binaryInput("c", "FP32", "[2]", 8),
            a,
            c);
    assertThat(array(r.inputs().get(0).data())).isEqualTo(a);
    assertThat(array(r.inputs().get(1).data())).containsExactly(5);
    assertThat(array(r.inputs().get(2).data())).isEqualTo(c);
  }

  @Test
  void decode_headerWithoutBinaryInputs_accepted() {
    byte[] body = utf8(json("{'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}"));
    assertThat(decoder.decode(body, Integer.toString(body.length)).inputs()).hasSize(1);
    assertThat(decoder.decode(body, " " + body.length + "\t").inputs()).hasSize(1);
  }

  @Test
  void decode_badHeaderValue_throws() {
    byte[] body = utf8(json("{'inputs':[" + input("x", "INT8", "[1]", "[1]") + "]}"));
    for (String bad : List.of("", " ", "abc", "-1", "+5", "1e3", "0x10", "1.0", "١٢")) {
      assertInvalid(() -> decoder.decode(body, bad), "non-negative decimal");
    }
    assertInvalid(() -> decoder.decode(body, "" + (body.length + 1)), "larger than the request");
    assertInvalid(() -> decoder.decode(body, "99999999999999999999999999"), "larger than");
    assertInvalid(() -> decoder.decode(body, "0"), "raw binary", "not supported");
    assertInvalid(() -> decoder.decode(body, "" + (body.length - 1)), "invalid JSON");
  }

  @Test
  void decode_binarySizesNotAddingUp_throws() {
    byte[] four = {1, 2, 3, 4};
    assertInvalid(
        () -> decodeBinary(binaryInput("x", "UINT8", "[4]", 4), four, new byte[] {9}),
        "5 bytes of binary data",
        "add up to 4");
    assertInvalid(
        () -> decodeBinary(binaryInput("x", "UINT8", "[4]", 4), new byte[] {1, 2, 3}),
        "input 'x'",
        "more than the 3 bytes");
    assertInvalid(() -> decodeBinary(binaryInput("x", "UINT8", "[3]", 4), four), "needs 3");
    assertInvalid(() -> decodeBinary(binaryInput("x", "FP32", "[2]", 4), four), "needs 8");
    assertInvalid(
        () ->
            decodeBinary(
                binaryInput("x", "UINT8", "[4]", 4) + "," + binaryInput("y", "UINT8", "[4]", 4),
                four,
                new byte[] {1}),
        "input 'y'",
        "more than the 1 bytes");
  }

  @Test
  void decode_binaryShapeOverflowingByteCount_throws() {
    long big = (1L << 61) + 1; // times 8 bytes wraps to 8
    OipRequestDecoder lax =
        new OipRequestDecoder(Limits.defaults().withMaxTensorElements(Long.MAX_VALUE));
    byte[] header = utf8(json("{'inputs':[" + binaryInput("x", "FP64", "[" + big + "]", 8) + "]}"));
    assertInvalid(() -> lax.decode(concat(header, new byte[8]), "" + header.length), "needs");
  }

  @Test
  void decode_binaryInputProblems_throw() {
    byte[] one = {1};
    byte[] plain = utf8(json("{'inputs':[" + binaryInput("x", "UINT8", "[1]", 1) + "]}"));
    assertInvalid(() -> decoder.decode(plain, null), "no Inference-Header-Content-Length");
    assertInvalid(
        () ->
            decodeBinary(
                "{'name':'x','datatype':'UINT8','shape':[1],'data':[1],"
                    + "'parameters':{'binary_data_size':1}}",
                one),
        "both 'data' and");
    for (String size : List.of("-1", "'1'", "1.0", "true", "null")) {
      assertInvalid(
          () ->
              decodeBinary(
                  "{'name':'x','datatype':'UINT8','shape':[1],"
                      + "'parameters':{'binary_data_size':"
                      + size
                      + "}}",
                  one),
          "binary_data_size");
    }
    assertInvalid(
        () -> decodeBinary(binaryInput("x", "BOOL", "[2]", 2), new byte[] {1, 2}),
        "BOOL element 1");
  }

  @Test
  void decode_badBinaryBytesElements_throw() {
    assertInvalid(
        () -> decodeBinary(binaryInput("s", "BYTES", "[1]", 6), new byte[] {1, 0, 0}),
        "more than the 3 bytes");
    // A length prefix that would overflow a signed int or run past the data.
    byte[] huge = concat(array(le(4).putInt(-1)), new byte[4]);
    assertInvalid(
        () -> decodeBinary(binaryInput("s", "BYTES", "[1]", 8), huge),
        "element 0 claims 4294967295 bytes");
    byte[] past = concat(array(le(4).putInt(5)), new byte[4]);
    assertInvalid(() -> decodeBinary(binaryInput("s", "BYTES", "[1]", 8), past), "claims 5 bytes");
    byte[] truncated = concat(bytesElements(utf8("a")), new byte[] {0, 0, 0});
    assertInvalid(
        () -> decodeBinary(binaryInput("s", "BYTES", "[2]", truncated.length), truncated),
        "element 1 has a truncated length prefix");
    byte[] three = bytesElements(utf8("a"), utf8("b"), utf8("c"));
    assertInvalid(
        () -> decodeBinary(binaryInput("s", "BYTES", "[2]", three.length), three),
        "more than the 2 BYTES elements");
    byte[] two = bytesElements(utf8("aaaaaaaa"), utf8("b"));
    assertInvalid(
        () -> decodeBinary(binaryInput("s", "BYTES", "[3]", two.length), two),
        "holds 2 BYTES elements",
        "requires 3");
    assertInvalid(
        () -> decodeBinary(binaryInput("s", "BYTES", "[3]", 8), new byte[8]), "too small");
  }

  @Test
  void decode_headerCuttingBinaryOutOfJson_isNotJson() {
    byte[] header = utf8(json("{'inputs':[" + binaryInput("x", "UINT8", "[1]", 1) + "]}"));
    byte[] body = concat(header, new byte[] {'x'});
    assertInvalid(() -> decoder.decode(body, "" + (header.length + 1)), "0 bytes of binary data");
  }
}
