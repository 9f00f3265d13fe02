package io.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.NamespaceTrust;
import io.bulwark.core.SignerTrust;
import io.bulwark.core.SigningPolicyConfig;
import io.bulwark.testing.OnnxElementType;
import io.bulwark.testing.OnnxModels;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes of the formats other than ONNX, against the real server over TLS: each is judged by its
 * own scanner rules after its signature, is kept but never deployed, and can be downloaded
 * byte-identical by those who may read the registry.
 */
class ArtifactFormatsEndToEndTest {
  @TempDir Path tmp;

  /**
   * GLOBAL posix.system, then REDUCE with ('id',), in protocol 2: runs a command when unpickled.
   */
  private static final byte[] MALICIOUS_PICKLE = maliciousPickle();

  private static byte[] maliciousPickle() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x80);
    out.write(2);
    out.writeBytes("cposix\nsystem\n".getBytes(StandardCharsets.US_ASCII));
    out.write('X'); // BINUNICODE, 4-byte little-endian length
    out.writeBytes(new byte[] {2, 0, 0, 0});
    out.writeBytes("id".getBytes(StandardCharsets.US_ASCII));
    out.write(0x85); // TUPLE1
    out.write('R'); // REDUCE
    out.write('.'); // STOP
    return out.toByteArray();
  }

  /** A valid safetensors file with one 2x2 F32 tensor. */
  private static byte[] safetensors() {
    byte[] header =
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + header.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length).put(header);
    for (int i = 0; i < 4; i++) {
      out.putFloat(i * 0.5f);
    }
    return out.array();
  }

  private static HttpResponse<String> push(
      TestServer s,
      String name,
      String version,
      @Nullable String format,
      byte @Nullable [] sig,
      byte[] model)
      throws Exception {
    TestServer.Multipart body = new TestServer.Multipart();
    body.part("card", TestServer.CARD.getBytes(StandardCharsets.UTF_8));
    if (sig != null) {
      body.part("signature", sig);
    }
    if (format != null) {
      body.part("format", format.getBytes(StandardCharsets.UTF_8));
    }
    body.part("model", model);
    return s.pushRaw(s.adminKey, name, version, body.contentType(), body.bytes());
  }

  private static HttpResponse<byte[]> download(TestServer s, String path, String key)
      throws Exception {
    return s.http.send(s.request(path, key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void badSignature_isRefusedBeforeAnyParserSeesTheBytes() throws Exception {
    // Neither the ONNX scanner nor ONNX Runtime would accept these bytes; the refusal must still
    // be the signature's, because the signature is checked first.
    byte[] garbage = "this is not an ONNX model".getBytes(StandardCharsets.US_ASCII);
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> r =
          push(s, "m", "1", null, TestSigner.generate().sign(garbage), garbage);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
      assertThat(r.body()).contains("not valid from a trusted signer");
      HttpResponse<String> unsigned = push(s, "m", "1", null, null, garbage);
      assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(403);
      // With a trusted signature the same bytes reach the scanner, which refuses them.
      HttpResponse<String> signed =
          push(s, "m", "1", null, TestServer.SIGNER.sign(garbage), garbage);
      assertThat(signed.statusCode()).as(signed.body()).isEqualTo(400);
      assertThat(signed.body()).contains("refused by the admission scan: onnx.");
    }
  }

  @Test
  void maliciousPickle_pushedAsPickle_isRefusedByThePickleRules() throws Exception {
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      HttpResponse<String> r =
          push(
              s, "evil", "1", "pickle", TestServer.SIGNER.sign(MALICIOUS_PICKLE), MALICIOUS_PICKLE);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.body())
          .contains("refused by the admission scan: pickle.disallowed-global")
          .contains("posix.system");
      // Declared as something it is not, it is refused for the mismatch.
      HttpResponse<String> asSafetensors =
          push(
              s,
              "evil",
              "1",
              "safetensors",
              TestServer.SIGNER.sign(MALICIOUS_PICKLE),
              MALICIOUS_PICKLE);
      assertThat(asSafetensors.statusCode()).isEqualTo(400);
      assertThat(asSafetensors.body())
          .contains("not of the declared format 'safetensors'")
          .contains("looks like pickle");
      HttpResponse<String> asOnnx =
          push(s, "evil", "1", null, TestServer.SIGNER.sign(MALICIOUS_PICKLE), MALICIOUS_PICKLE);
      assertThat(asOnnx.statusCode()).isEqualTo(400);
      assertThat(asOnnx.body()).contains("not of the declared format 'onnx'");
      HttpResponse<String> unknown =
          push(s, "evil", "1", "exe", TestServer.SIGNER.sign(MALICIOUS_PICKLE), MALICIOUS_PICKLE);
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(unknown.body()).contains("unknown format 'exe'");
      assertThat(s.get("/api/v1/models/evil", s.adminKey).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void safetensors_isStoredApprovedNeverDeployed_andDownloadsByteIdentical() throws Exception {
    byte[] weights = safetensors();
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      s.publish("m", "1", OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));
      // The format as a query parameter this time.
      TestServer.Multipart body = new TestServer.Multipart();
      body.part("card", TestServer.CARD.getBytes(StandardCharsets.UTF_8));
      body.part("signature", TestServer.SIGNER.sign(weights));
      body.part("model", weights);
      HttpResponse<String> pushed =
          s.pushRaw(s.adminKey, "m", "2?format=safetensors", body.contentType(), body.bytes());
      assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
      JsonNode v = Jsons.parse(pushed.body());
      assertThat(v.get("format").asText()).isEqualTo("safetensors");
      assertThat(v.get("inputs")).isEmpty();
      assertThat(v.get("outputs")).isEmpty();
      assertThat(v.get("scan_verdict").asText()).isEqualTo("safe");
      JsonNode shown = Jsons.parse(s.get("/api/v1/models/m/versions/2", s.adminKey).body());
      assertThat(shown.get("format").asText()).isEqualTo("safetensors");

      assertThat(s.approve("m", "2").statusCode()).isEqualTo(200);
      String refusal = "format safetensors cannot be served; only onnx versions deploy";
      HttpResponse<String> deploy = s.deploy("m", "2");
      assertThat(deploy.statusCode()).isEqualTo(409);
      assertThat(deploy.body()).contains(refusal);
      HttpResponse<String> canary =
          s.putJson(
              "/api/v1/models/m/deployment",
              s.adminKey,
              "{\"version\":\"2\",\"canary_percent\":10}");
      assertThat(canary.statusCode()).isEqualTo(409);
      assertThat(canary.body()).contains(refusal);
      // Rollback only goes to versions deployed before, which a safetensors one never was (the
      // registry's own test shows the rollback path refusing it all the same).
      assertThat(s.postJson("/api/v1/models/m/rollback", s.adminKey, "{}").statusCode())
          .isEqualTo(404);
      assertThat(
              Jsons.parse(s.get("/api/v1/models/m", s.adminKey).body())
                  .get("deployed_version")
                  .asText())
          .isEqualTo("1");

      HttpResponse<byte[]> got = download(s, "/api/v1/models/m/versions/2/artifact", s.adminKey);
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.body()).isEqualTo(weights);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(weights);
      assertThat(got.headers().firstValue("content-type")).hasValue("application/octet-stream");
      assertThat(got.headers().firstValue("content-disposition").orElseThrow())
          .startsWith("attachment")
          .contains("m-2.safetensors");
      assertThat(got.headers().firstValue("repr-digest"))
          .hasValue("sha-256=:" + Base64.getEncoder().encodeToString(digest) + ":");
      assertThat(got.headers().firstValue("x-bulwark-sha256"))
          .hasValue(HexFormat.of().formatHex(digest));
      // The ONNX version downloads too.
      assertThat(download(s, "/api/v1/models/m/versions/1/artifact", s.adminKey).body())
          .isEqualTo(OnnxModels.identity(OnnxElementType.FLOAT, 1, 2));

      List<String> types = new ArrayList<>();
      for (JsonNode e :
          Jsons.parse(s.get("/api/v1/audit/entries?start=0&count=1000", s.adminKey).body())
              .get("entries")) {
        if (e.at("/event/type").asText().equals("MODEL_DOWNLOAD")) {
          types.add(e.at("/event/parameters/sha256").asText());
        }
      }
      assertThat(types).contains(HexFormat.of().formatHex(digest));

      // Retired: the data key is gone, and so is the download.
      assertThat(s.postJson("/api/v1/models/m/versions/2/retire", s.adminKey, "{}").statusCode())
          .isEqualTo(200);
      assertThat(download(s, "/api/v1/models/m/versions/2/artifact", s.adminKey).statusCode())
          .isEqualTo(409);
    }
  }

  @Test
  void unsignedNonOnnxPush_isRefusedWhereSignaturesAreRequired() throws Exception {
    SigningPolicyConfig policy =
        new SigningPolicyConfig(
            Map.of(
                "sandbox",
                new NamespaceTrust(true, List.of()),
                SigningPolicyConfig.ANY_NAMESPACE,
                new NamespaceTrust(
                    false, List.of(new SignerTrust.PublicKey(TestServer.SIGNER.publicKeyFile())))));
    byte[] weights = safetensors();
    try (TestServer s = TestServer.start(tmp.resolve("data"), b -> b.signing(policy))) {
      HttpResponse<String> r = push(s, "prod.w", "1", "safetensors", null, weights);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("accepts only models signed by a trusted signer");
      assertThat(s.get("/api/v1/models/prod.w", s.adminKey).statusCode()).isEqualTo(404);
      HttpResponse<String> sandbox = push(s, "sandbox.w", "1", "safetensors", null, weights);
      assertThat(sandbox.statusCode()).as(sandbox.body()).isEqualTo(201);
      assertThat(Jsons.parse(sandbox.body()).get("signed").asBoolean()).isFalse();
    }
  }

  @Test
  void consumerWithoutReadModel_cannotDownload() throws Exception {
    byte[] weights = safetensors();
    try (TestServer s = TestServer.start(tmp.resolve("data"))) {
      assertThat(
              push(s, "w", "1", "safetensors", TestServer.SIGNER.sign(weights), weights)
                  .statusCode())
          .isEqualTo(201);
      String granted = s.createKey("consumer", "w");
      String other = s.createKey("consumer", "other");
      // A consumer may see the entry (read-metadata) but not take the weights (read-model).
      assertThat(s.get("/api/v1/models/w/versions/1", granted).statusCode()).isEqualTo(200);
      assertThat(download(s, "/api/v1/models/w/versions/1/artifact", granted).statusCode())
          .isEqualTo(403);
      // A model the caller may not see does not exist for it.
      assertThat(download(s, "/api/v1/models/w/versions/1/artifact", other).statusCode())
          .isEqualTo(404);
      assertThat(download(s, "/api/v1/models/w/versions/9/artifact", s.adminKey).statusCode())
          .isEqualTo(404);
      assertThat(download(s, "/api/v1/models/w/versions/1/artifact", null).statusCode())
          .isEqualTo(401);
    }
  }
}
