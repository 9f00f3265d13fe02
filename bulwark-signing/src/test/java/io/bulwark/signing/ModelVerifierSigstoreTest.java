package io.bulwark.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sigstore keyless verification against the upstream model-transparency vectors, offline. */
class ModelVerifierSigstoreTest {
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path base;
  private byte[] trustedRoot;

  @BeforeEach
  void findVectors() throws IOException {
    Path oms = ModelVerifierTest.oms();
    base = oms.resolve("model-transparency-scripts-tests");
    trustedRoot =
        Files.readAllBytes(oms.resolve("sigstore-trust/sigstore-python_prod_trusted_root.json"));
  }

  private static ModelVerifier verifier(byte[] root, String identity, String issuer) {
    return ModelVerifier.forSigstore(root, identity, issuer, SigningLimits.defaults());
  }

  private ModelVerifier verifier() {
    return verifier(trustedRoot, IDENTITY, ISSUER);
  }

  private List<Path> ignores(String version) {
    Path ignoreMe = base.resolve(version + "-sigstore/ignore-me");
    return Files.exists(ignoreMe) ? List.of(ignoreMe) : List.of();
  }

  private VerifiedModel verify(ModelVerifier v, String version, byte[] bundle) throws Exception {
    Path model = base.resolve(version + "-sigstore");
    List<Path> ignore = new java.util.ArrayList<>(ignores(version));
    ignore.add(model.resolve("model.sig"));
    return v.verify(model, bundle, ignore);
  }

  private byte[] bundle(String version) throws IOException {
    return Files.readAllBytes(base.resolve(version + "-sigstore/model.sig"));
  }

  private byte[] modified(String version, Consumer<ObjectNode> change) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(bundle(version));
    change.accept(root);
    return JSON.writeValueAsBytes(root);
  }

  private static ObjectNode entry(ObjectNode bundle) {
    return (ObjectNode) bundle.path("verificationMaterial").path("tlogEntries").get(0);
  }

  private static String flipBase64(String b64, int index) {
    byte[] raw = Base64.getDecoder().decode(b64);
    raw[index] ^= 1;
    return Base64.getEncoder().encodeToString(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"})
  void verify_upstreamKeylessVector_accepts(String version) throws Exception {
    VerifiedModel result =
        verifier()
            .verify(
                base.resolve(version + "-sigstore"),
                base.resolve(version + "-sigstore/model.sig"),
                ignores(version));

    assertThat(result.signer()).isEqualTo(IDENTITY + " (issuer " + ISSUER + ")");
    assertThat(result.manifest().resources()).isNotEmpty();
  }

  @Test
  void verify_trustedRootInsideClientTrustConfig_accepts() throws Exception {
    byte[] config =
        Files.readAllBytes(
            base.getParent().resolve("model-transparency-tests/custom_trust_config.json"));

    VerifiedModel result = verify(verifier(config, IDENTITY, ISSUER), "v1.0.0", bundle("v1.0.0"));

    assertThat(result.signer()).startsWith(IDENTITY);
  }

  @Test
  void verify_wrongIdentity_throws() {
    assertThatThrownBy(
            () ->
                verify(
                    verifier(trustedRoot, "eve@example.com", ISSUER), "v1.0.0", bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("is not the expected identity");
  }

  @Test
  void verify_identityPrefix_throws() {
    assertThatThrownBy(
            () ->
                verify(
                    verifier(trustedRoot, "stefanb@us.ibm.co", ISSUER), "v1.0.0", bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("is not the expected identity");
  }

  @Test
  void verify_wrongIssuer_throws() {
    assertThatThrownBy(
            () ->
                verify(
                    verifier(trustedRoot, IDENTITY, "https://accounts.google.com"),
                    "v1.0.0",
                    bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("is not the expected issuer");
  }

  @Test
  void verify_oneByteChangedInModelFile_throws() throws Exception {
    Path model = dir.resolve("model");
    Path source = base.resolve("v1.0.0-sigstore");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : files.toList()) {
        Path target = model.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    Path victim;
    try (Stream<Path> files = Files.walk(model)) {
      victim =
          files
              .filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().equals("model.sig"))
              .filter(p -> !p.getFileName().toString().equals("ignore-me"))
              .filter(
                  p -> {
                    try {
                      return Files.size(p) > 0;
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .findFirst()
              .orElseThrow();
    }
    byte[] content = Files.readAllBytes(victim);
    content[0] ^= 1;
    Files.write(victim, content);

    assertThatThrownBy(() -> verifier().verify(model, model.resolve("model.sig"), List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("file changed");
  }

  @Test
  void verify_changedIntegratedTime_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0",
            b -> {
              ObjectNode e = entry(b);
              e.put(
                  "integratedTime",
                  String.valueOf(Long.parseLong(e.get("integratedTime").asText()) + 60));
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("signed entry timestamp does not verify");
  }

  @Test
  void verify_changedLogIndex_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0",
            b -> {
              ObjectNode e = entry(b);
              e.put("logIndex", String.valueOf(Long.parseLong(e.get("logIndex").asText()) + 1));
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("signed entry timestamp does not verify");
  }

  @Test
  void verify_tamperedSignedEntryTimestamp_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0",
            b -> {
              ObjectNode promise = (ObjectNode) entry(b).get("inclusionPromise");
              String set = promise.get("signedEntryTimestamp").asText();
              promise.put("signedEntryTimestamp", flipBase64(set, 12));
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("signed entry timestamp does not verify");
  }

  @Test
  void verify_missingSignedEntryTimestamp_throws() throws Exception {
    byte[] bundle = modified("v1.0.0", b -> entry(b).remove("inclusionPromise"));

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("no signed entry timestamp");
  }

  @Test
  void verify_tamperedInclusionProofHash_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0",
            b -> {
              ArrayNode hashes = (ArrayNode) entry(b).path("inclusionProof").get("hashes");
              hashes.set(0, JSON.getNodeFactory().textNode(flipBase64(hashes.get(0).asText(), 0)));
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("inclusion proof does not lead to its root hash");
  }

  @Test
  void verify_tamperedInclusionProofIndex_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0",
            b -> {
              ObjectNode proof = (ObjectNode) entry(b).get("inclusionProof");
              proof.put(
                  "logIndex", String.valueOf(Long.parseLong(proof.get("logIndex").asText()) - 1));
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("inclusion proof");
  }

  @Test
  void verify_missingInclusionProof_throws() throws Exception {
    byte[] bundle = modified("v1.0.0", b -> entry(b).remove("inclusionProof"));

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("no inclusion proof");
  }

  @Test
  void verify_tamperedCheckpointSignature_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0",
            b -> {
              ObjectNode checkpoint =
                  (ObjectNode) entry(b).path("inclusionProof").get("checkpoint");
              String note = checkpoint.get("envelope").asText();
              int sig = note.lastIndexOf(' ') + 1;
              String b64 = note.substring(sig).strip();
              checkpoint.put("envelope", note.substring(0, sig) + flipBase64(b64, 20) + "\n");
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("checkpoint signature does not verify");
  }

  @Test
  void verify_noTlogEntry_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.0.0", b -> ((ObjectNode) b.get("verificationMaterial")).putArray("tlogEntries"));

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("no transparency log entry");
  }

  @Test
  void verify_certificateSwappedFromOtherBundle_throws() throws Exception {
    JsonNode other = JSON.readTree(bundle("v1.0.1"));
    byte[] bundle =
        modified(
            "v1.0.0",
            b ->
                ((ObjectNode) b.get("verificationMaterial"))
                    .set("certificate", other.path("verificationMaterial").get("certificate")));

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("keyless:");
  }

  @Test
  void verify_tlogEntrySwappedFromOtherBundle_throws() throws Exception {
    JsonNode other = JSON.readTree(bundle("v1.0.1"));
    byte[] bundle =
        modified(
            "v1.0.0",
            b ->
                ((ObjectNode) b.get("verificationMaterial"))
                    .set("tlogEntries", other.path("verificationMaterial").get("tlogEntries")));

    assertThatThrownBy(() -> verify(verifier(), "v1.0.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("payload hash is not this envelope's payload");
  }

  @Test
  void verify_tamperedTimestamp_throws() throws Exception {
    byte[] bundle =
        modified(
            "v1.1.0",
            b -> {
              ObjectNode ts =
                  (ObjectNode)
                      b.path("verificationMaterial")
                          .path("timestampVerificationData")
                          .path("rfc3161Timestamps")
                          .get(0);
              String value = ts.get("signedTimestamp").asText();
              byte[] raw = Base64.getDecoder().decode(value);
              raw[raw.length - 10] ^= 1; // inside the TSA's signature
              ts.put("signedTimestamp", Base64.getEncoder().encodeToString(raw));
            });

    assertThatThrownBy(() -> verify(verifier(), "v1.1.0", bundle))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("RFC 3161");
  }

  private byte[] trustedRoot(Consumer<ObjectNode> change) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(trustedRoot);
    change.accept(root);
    return JSON.writeValueAsBytes(root);
  }

  @Test
  void verify_trustedRootWithoutCurrentFulcioCa_throws() throws Exception {
    byte[] root =
        trustedRoot(
            r -> {
              ArrayNode cas = (ArrayNode) r.get("certificateAuthorities");
              cas.remove(cas.size() - 1);
            });

    assertThatThrownBy(() -> verify(verifier(root, IDENTITY, ISSUER), "v1.0.0", bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("does not chain to a Fulcio CA");
  }

  @Test
  void verify_trustedRootWithoutRekorKey_throws() throws Exception {
    byte[] root = trustedRoot(r -> ((ArrayNode) r.get("tlogs")).remove(0));

    assertThatThrownBy(() -> verify(verifier(root, IDENTITY, ISSUER), "v1.0.0", bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not a Rekor log in the trusted root");
  }

  @Test
  void verify_trustedRootWithoutCtLog_throws() throws Exception {
    byte[] root = trustedRoot(r -> r.putArray("ctlogs"));

    assertThatThrownBy(() -> verify(verifier(root, IDENTITY, ISSUER), "v1.0.0", bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("no embedded SCT verifies");
  }

  @Test
  void verify_trustedRootWithoutTimestampAuthority_throws() throws Exception {
    byte[] root = trustedRoot(r -> r.putArray("timestampAuthorities"));

    assertThatThrownBy(() -> verify(verifier(root, IDENTITY, ISSUER), "v1.1.0", bundle("v1.1.0")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not signed by a timestamp authority");
  }

  @Test
  void verify_keylessBundleWithKeyVerifier_throws() throws Exception {
    ModelVerifier key = ModelVerifier.forKey(ModelVerifierTest.p256().getPublic());

    assertThatThrownBy(() -> verify(key, "v1.0.0", bundle("v1.0.0")))
        .isInstanceOf(VerificationException.class);
  }

  @Test
  void verify_keyBundleWithKeylessVerifier_throws() throws Exception {
    Path model = dir.resolve("m");
    Files.createDirectories(model);
    Files.writeString(model.resolve("w.bin"), "w");
    var keys = ModelVerifierTest.p256();
    byte[] bundle = ModelSigner.withKey(keys.getPrivate(), keys.getPublic()).sign(model, List.of());

    assertThatThrownBy(() -> verifier().verify(model, bundle, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("keyless: the bundle has no Fulcio certificate");
  }

  @Test
  void forSigstore_trustedRootAtSizeLimit_accepts() throws Exception {
    byte[] padded = pad(trustedRoot, ModelVerifier.MAX_TRUSTED_ROOT_BYTES);

    VerifiedModel result = verify(verifier(padded, IDENTITY, ISSUER), "v1.0.0", bundle("v1.0.0"));

    assertThat(result.signer()).startsWith(IDENTITY);
  }

  @Test
  void forSigstore_trustedRootOverSizeLimit_throws() {
    byte[] padded = pad(trustedRoot, ModelVerifier.MAX_TRUSTED_ROOT_BYTES + 1);

    assertThatThrownBy(() -> verifier(padded, IDENTITY, ISSUER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than");
  }

  @Test
  void forSigstore_trustedRootFileOverSizeLimit_throws() throws Exception {
    Path file = dir.resolve("trusted_root.json");
    Files.write(file, pad(trustedRoot, ModelVerifier.MAX_TRUSTED_ROOT_BYTES + 1));

    assertThatThrownBy(() -> ModelVerifier.forSigstore(file, IDENTITY, ISSUER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than");
  }

  @Test
  void forSigstore_notATrustedRoot_throws() {
    assertThatThrownBy(
            () -> verifier("{\"a\":1}".getBytes(StandardCharsets.UTF_8), IDENTITY, ISSUER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a Sigstore trusted root");
  }

  private static byte[] pad(byte[] json, int size) {
    byte[] out = new byte[size];
    java.util.Arrays.fill(out, (byte) ' ');
    System.arraycopy(json, 0, out, 0, json.length);
    return out;
  }
}
