package io.bulwark.signing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.signing.ModelManifest;
import io.bulwark.signing.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OmsCodecTest {
  private static byte[] statement(int resources) {
    List<ModelManifest.Resource> list = new ArrayList<>();
    for (int i = 0; i < resources; i++) {
      list.add(new ModelManifest.Resource("f" + i, "0".repeat(64)));
    }
    return OmsCodec.writeStatement(new ModelManifest("m", list), List.of());
  }

  /** A statement with an extra field nested {@code depth} levels deep in total. */
  private static byte[] nested(int depth) {
    String json = new String(statement(1), StandardCharsets.UTF_8);
    // The root object is level 1, so depth - 1 nested arrays reach the requested depth.
    String extra = "[".repeat(depth - 1) + "]".repeat(depth - 1);
    return json.replaceFirst("\\{", "{\"x\": " + extra + ",").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parseStatement_resourcesAtLimit_parses() throws Exception {
    assertThat(OmsCodec.parseStatement(statement(3), 3).resources()).hasSize(3);
  }

  @Test
  void parseStatement_resourcesOverLimit_throws() {
    assertThatThrownBy(() -> OmsCodec.parseStatement(statement(4), 3))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("more than 3 resources");
  }

  @Test
  void parseStatement_nestingAtLimit_parses() throws Exception {
    OmsCodec.parseStatement(nested(OmsCodec.MAX_DEPTH), 10);
  }

  @Test
  void parseStatement_nestingOverLimit_throws() {
    assertThatThrownBy(() -> OmsCodec.parseStatement(nested(OmsCodec.MAX_DEPTH + 1), 10))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void parseStatement_duplicateKey_throws() {
    String json = new String(statement(1), StandardCharsets.UTF_8);
    byte[] dup =
        json.replaceFirst("\\{", "{\"predicateType\": \"x\",").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OmsCodec.parseStatement(dup, 10))
        .isInstanceOf(VerificationException.class);
  }

  @Test
  void parseStatement_shardSerialization_throws() {
    String json = new String(statement(1), StandardCharsets.UTF_8);
    byte[] shards = json.replace("\"files\"", "\"shards\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OmsCodec.parseStatement(shards, 10))
        .hasMessageContaining("unsupported serialization method");
  }

  @Test
  void parseBundle_twoSignatures_throws() {
    byte[] bundle = OmsCodec.writeBundle(new byte[] {1}, new byte[] {2}, List.of(), "h");
    String json = new String(bundle, StandardCharsets.UTF_8);
    String two = json.replace("\"signatures\":[{", "\"signatures\":[{\"sig\":\"AA==\"},{");
    assertThatThrownBy(() -> OmsCodec.parseBundle(two.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("exactly one signature");
  }
}
