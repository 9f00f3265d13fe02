package io.bulwark.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ArtifactFormatTest {
  private static byte[] safetensors(long declaredHeaderLength, String header) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(declaredHeaderLength)
        .put(h)
        .array();
  }

  @Test
  void parse_absentOrEmpty_isOnnx_andUnknownIsRefused() {
    assertThat(ArtifactFormat.parse(null)).isEqualTo(ArtifactFormat.ONNX);
    assertThat(ArtifactFormat.parse("")).isEqualTo(ArtifactFormat.ONNX);
    assertThat(ArtifactFormat.parse("pytorch")).isEqualTo(ArtifactFormat.PYTORCH);
    assertThatThrownBy(() -> ArtifactFormat.parse("ONNX"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown format 'ONNX'");
    assertThatThrownBy(() -> ArtifactFormat.parse("x\n".repeat(100)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageNotContaining("\n");
  }

  @Test
  void recognise_magicBytes_nameTheFormat() {
    assertThat(ArtifactFormat.recognise(new byte[] {'P', 'K', 3, 4, 0}))
        .hasValue(ArtifactFormat.PYTORCH);
    assertThat(ArtifactFormat.recognise(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1}))
        .hasValue(ArtifactFormat.NUMPY);
    assertThat(ArtifactFormat.recognise(new byte[] {(byte) 0x80, 4, '.'}))
        .hasValue(ArtifactFormat.PICKLE);
    assertThat(ArtifactFormat.recognise(new byte[] {(byte) 0x80, 6, '.'})).isEmpty();
    assertThat(ArtifactFormat.recognise(safetensors(2, "{}"))).hasValue(ArtifactFormat.SAFETENSORS);
    assertThat(ArtifactFormat.recognise(new byte[] {8, 7, 18, 4})).isEmpty();
  }

  @Test
  void recognise_safetensorsHeaderLength_atAndAboveTheFileSize() {
    String header = "{\"a\":1}  ";
    int fits = header.length();
    assertThat(ArtifactFormat.recognise(safetensors(fits, header)))
        .hasValue(ArtifactFormat.SAFETENSORS);
    assertThat(ArtifactFormat.recognise(safetensors(fits + 1, header))).isEmpty();
  }

  @Test
  void checkLooksLike_mismatch_namesBothFormats() {
    byte[] zip = {'P', 'K', 3, 4, 0, 0};
    assertThatCode(() -> ArtifactFormat.PYTORCH.checkLooksLike(zip)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ArtifactFormat.NUMPY.checkLooksLike(zip))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not of the declared format 'numpy'")
        .hasMessageContaining("looks like pytorch");
    assertThatThrownBy(() -> ArtifactFormat.SAFETENSORS.checkLooksLike(new byte[] {1, 2, 3}))
        .hasMessageContaining("does not begin as safetensors files do");
    // Protocol 0 pickles and ONNX protobufs have no magic: their own parsers judge them.
    byte[] protocol0 = "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.US_ASCII);
    assertThatCode(() -> ArtifactFormat.PICKLE.checkLooksLike(protocol0))
        .doesNotThrowAnyException();
    assertThatCode(() -> ArtifactFormat.ONNX.checkLooksLike(protocol0)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ArtifactFormat.ONNX.checkLooksLike(new byte[] {(byte) 0x80, 2}))
        .hasMessageContaining("looks like pickle");
  }
}
