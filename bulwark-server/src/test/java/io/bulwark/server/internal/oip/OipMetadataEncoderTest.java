package io.bulwark.server.internal.oip;

import static io.bulwark.server.internal.oip.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.inference.DataType;
import io.bulwark.inference.ModelSignature;
import io.bulwark.inference.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OipMetadataEncoderTest {
  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void serverMetadata_listsBinaryTensorDataExtension() {
    assertThat(s(OipMetadataEncoder.serverMetadata("1.2.3")))
        .isEqualTo(
            json("{'name':'bulwark','version':'1.2.3','extensions':['binary_tensor_data']}"));
    assertThat(s(OipMetadataEncoder.serverMetadata()))
        .startsWith(json("{'name':'bulwark','version':'"));
  }

  @Test
  void modelMetadata_writesSignatureWithDynamicDims() {
    ModelSignature sig =
        new ModelSignature(
            List.of(new TensorSpec("input", DataType.FP32, List.of(-1L, 4L))),
            List.of(
                new TensorSpec("label", DataType.INT64, List.of(-1L)),
                new TensorSpec("probabilities", DataType.FP32, List.of(-1L, 3L))));
    assertThat(s(OipMetadataEncoder.modelMetadata("iris", List.of("3"), sig)))
        .isEqualTo(
            json(
                "{'name':'iris','versions':['3'],'platform':'onnx_onnxv1',"
                    + "'inputs':[{'name':'input','datatype':'FP32','shape':[-1,4]}],"
                    + "'outputs':[{'name':'label','datatype':'INT64','shape':[-1]},"
                    + "{'name':'probabilities','datatype':'FP32','shape':[-1,3]}]}"));
  }

  @Test
  void healthBodies_followTheProtocol() {
    assertThat(s(OipMetadataEncoder.serverLive(true))).isEqualTo(json("{'live':true}"));
    assertThat(s(OipMetadataEncoder.serverReady(false))).isEqualTo(json("{'ready':false}"));
    assertThat(s(OipMetadataEncoder.modelReady("m", true)))
        .isEqualTo(json("{'name':'m','ready':true}"));
  }

  @Test
  void error_escapesMessage() {
    assertThat(s(OipJson.error("bad \"x\"\n"))).isEqualTo("{\"error\":\"bad \\\"x\\\"\\n\"}");
  }
}
