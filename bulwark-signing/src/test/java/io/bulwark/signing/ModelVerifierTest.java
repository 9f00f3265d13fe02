package io.bulwark.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.LimitExceededException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVerifierTest {
  @TempDir Path dir;

  private Path model;
  private KeyPair keys;

  static Path oms() {
    Path vectors = Path.of(System.getProperty("bulwark.vectors", "../shared/vectors"));
    Path oms = vectors.resolve("oms");
    assumeTrue(Files.isDirectory(oms), "OMS vectors not found at " + oms + "; skipping");
    return oms;
  }

  static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @BeforeEach
  void createModel() throws Exception {
    model = dir.resolve("model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("sub/config.json"), "{}");
    keys = p256();
  }

  private byte[] sign() throws Exception {
    return ModelSigner.withKey(keys.getPrivate(), keys.getPublic()).sign(model, List.of());
  }

  private VerifiedModel verify(byte[] bundle) throws Exception {
    return ModelVerifier.forKey(keys.getPublic()).verify(model, bundle, List.of());
  }

  @Test
  void verify_upstreamVectors_verifyAsDocumented() throws Exception {
    Path base = oms().resolve("model-transparency-scripts-tests");
    int verified = 0;
    for (String line : Files.readAllLines(oms().resolve("invocations.tsv"))) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      Path trust = base.resolve(f[3]);
      ModelVerifier verifier =
          switch (f[0]) {
            case "key" -> ModelVerifier.forKey(SigningKeys.publicKey(Files.readString(trust)));
            case "certificate" ->
                ModelVerifier.forCertificateAuthorities(
                    SigningKeys.certificates(Files.readString(trust)));
            case "sigstore" -> ModelVerifier.forSigstore(trust, f[5], f[6]);
            default -> throw new IllegalStateException("unknown vector kind " + f[0]);
          };
      List<Path> ignore = f[4].equals("-") ? List.of() : List.of(base.resolve(f[4]));
      if (f[1].startsWith("v0.2.0")) {
        assertThatThrownBy(() -> verifier.verify(base.resolve(f[1]), base.resolve(f[2]), ignore))
            .isInstanceOf(VerificationException.class)
            .hasMessageContaining("unsupported legacy format");
        continue;
      }
      VerifiedModel result = verifier.verify(base.resolve(f[1]), base.resolve(f[2]), ignore);
      assertThat(result.manifest().resources()).isNotEmpty();
      verified++;
    }
    assertThat(verified).isEqualTo(12);
  }

  @Test
  void verify_upstreamKeyVectorWithWrongKey_throws() throws Exception {
    Path base = oms().resolve("model-transparency-scripts-tests");
    ModelVerifier verifier = ModelVerifier.forKey(p256().getPublic());
    assertThatThrownBy(
            () ->
                verifier.verify(
                    base.resolve("v1.1.0-elliptic-key"),
                    base.resolve("v1.1.0-elliptic-key/model.sig"),
                    List.of(base.resolve("v1.1.0-elliptic-key/ignore-me"))))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("hint names another key");
  }

  @Test
  void verify_certificateVectorWithUnrelatedCa_throws() throws Exception {
    Path base = oms().resolve("model-transparency-scripts-tests");
    ModelVerifier verifier =
        ModelVerifier.forCertificateAuthorities(
            SigningKeys.certificates(
                Files.readString(base.resolve("keys/certificate/signing-key-cert.pem"))));
    assertThatThrownBy(
            () ->
                verifier.verify(
                    base.resolve("v1.0.0-certificate"),
                    base.resolve("v1.0.0-certificate/model.sig"),
                    List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not trusted");
  }

  @Test
  void sign_upstreamKey_verifiesLikeUpstream() throws Exception {
    Path keysDir = oms().resolve("model-transparency-scripts-tests/keys/certificate");
    KeyPair upstream = SigningKeys.keyPair(Files.readString(keysDir.resolve("signing-key.pem")));
    byte[] bundle =
        ModelSigner.withKey(upstream.getPrivate(), upstream.getPublic()).sign(model, List.of());
    ModelVerifier.forKey(
            SigningKeys.publicKey(Files.readString(keysDir.resolve("signing-key-pub.pem"))))
        .verify(model, bundle, List.of());
    JsonNode hint = new ObjectMapper().readTree(bundle).at("/verificationMaterial/publicKey/hint");
    assertThat(hint.asText())
        .isEqualTo("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
  }

  @Test
  void sign_upstreamCertificateChain_verifiesAgainstRootCa() throws Exception {
    Path keysDir = oms().resolve("model-transparency-scripts-tests/keys/certificate");
    KeyPair upstream = SigningKeys.keyPair(Files.readString(keysDir.resolve("signing-key.pem")));
    List<java.security.cert.X509Certificate> chain = new ArrayList<>();
    chain.addAll(
        SigningKeys.certificates(Files.readString(keysDir.resolve("signing-key-cert.pem"))));
    chain.addAll(SigningKeys.certificates(Files.readString(keysDir.resolve("int-ca-cert.pem"))));
    byte[] bundle =
        ModelSigner.withCertificateChain(upstream.getPrivate(), chain).sign(model, List.of());
    VerifiedModel result =
        ModelVerifier.forCertificateAuthorities(
                SigningKeys.certificates(Files.readString(keysDir.resolve("ca-cert.pem"))))
            .verify(model, bundle, List.of());
    assertThat(result.signer()).contains("intermediate-ca");
  }

  @Test
  void verify_roundTrip_returnsManifest() throws Exception {
    VerifiedModel result = verify(sign());
    assertThat(result.manifest().resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("sub/config.json", "weights.bin");
  }

  @Test
  void verify_oneByteChanged_throws() throws Exception {
    byte[] bundle = sign();
    Files.writeString(model.resolve("weights.bin"), "weightS");
    assertThatThrownBy(() -> verify(bundle)).hasMessageContaining("file changed: weights.bin");
  }

  @Test
  void verify_fileAdded_throws() throws Exception {
    byte[] bundle = sign();
    Files.writeString(model.resolve("extra"), "x");
    assertThatThrownBy(() -> verify(bundle))
        .hasMessageContaining("not covered")
        .hasMessageContaining("extra");
  }

  @Test
  void verify_fileRemoved_throws() throws Exception {
    byte[] bundle = sign();
    Files.delete(model.resolve("sub/config.json"));
    assertThatThrownBy(() -> verify(bundle)).hasMessageContaining("missing");
  }

  @Test
  void verify_fileRenamed_throws() throws Exception {
    byte[] bundle = sign();
    Files.move(model.resolve("weights.bin"), model.resolve("weights2.bin"));
    assertThatThrownBy(() -> verify(bundle)).isInstanceOf(VerificationException.class);
  }

  @Test
  void verify_symlinkInModel_throws() throws Exception {
    byte[] bundle = sign();
    Files.createSymbolicLink(model.resolve("link"), model.resolve("weights.bin"));
    assertThatThrownBy(() -> verify(bundle)).hasMessageContaining("symbolic link");
  }

  @Test
  void verify_wrongKey_throws() throws Exception {
    byte[] bundle = sign();
    assertThatThrownBy(
            () -> ModelVerifier.forKey(p256().getPublic()).verify(model, bundle, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("hint names another key");
  }

  @Test
  void verify_wrongKeyAndHintRemoved_throwsOnTheSignature() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode bundle = (ObjectNode) mapper.readTree(sign());
    ((ObjectNode) bundle.get("verificationMaterial")).remove("publicKey");
    byte[] edited = mapper.writeValueAsBytes(bundle);

    assertThatThrownBy(
            () -> ModelVerifier.forKey(p256().getPublic()).verify(model, edited, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("invalid signature");
  }

  @Test
  void verify_unsignedBundleFieldsChanged_throws() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Map<String, java.util.function.Consumer<ObjectNode>> edits =
        Map.of(
            "hint names another key",
            b ->
                ((ObjectNode) b.at("/verificationMaterial/publicKey")).put("hint", "00".repeat(32)),
            "keyid names another key",
            b -> ((ObjectNode) b.at("/dsseEnvelope/signatures/0")).put("keyid", "someone-else"),
            "unknown field extra",
            b -> b.put("extra", 1),
            "unknown field note",
            b -> ((ObjectNode) b.at("/dsseEnvelope")).put("note", "x"),
            "unknown field comment",
            b -> ((ObjectNode) b.at("/verificationMaterial/publicKey")).put("comment", "x"),
            "both a public key and a certificate",
            b ->
                ((ObjectNode) b.at("/verificationMaterial"))
                    .putObject("certificate")
                    .put("rawBytes", "AAAA"),
            "transparency-log entries or timestamps",
            b ->
                ((ObjectNode) b.at("/verificationMaterial"))
                    .putArray("tlogEntries")
                    .addObject()
                    .put("logIndex", "1"));
    for (var edit : edits.entrySet()) {
      ObjectNode bundle = (ObjectNode) mapper.readTree(sign());
      edit.getValue().accept(bundle);
      byte[] edited = mapper.writeValueAsBytes(bundle);
      assertThatThrownBy(() -> verify(edited))
          .as(edit.getKey())
          .isInstanceOf(VerificationException.class)
          .hasMessageContaining(edit.getKey());
    }
  }

  @Test
  void verify_upstreamBundleEmbeddingAnotherKey_throws() throws Exception {
    Path base = oms().resolve("model-transparency-scripts-tests");
    Path vector = base.resolve("v1.0.0-elliptic-key");
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode bundle = (ObjectNode) mapper.readTree(vector.resolve("model.sig").toFile());
    String otherPem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(p256().getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    ((ObjectNode) bundle.at("/verificationMaterial/publicKey"))
        .put(
            "rawBytes",
            Base64.getEncoder().encodeToString(otherPem.getBytes(StandardCharsets.US_ASCII)));
    Path edited = model.resolveSibling("edited.sig");
    Files.write(edited, mapper.writeValueAsBytes(bundle));
    PublicKey upstream =
        SigningKeys.publicKey(
            Files.readString(base.resolve("keys/certificate/signing-key-pub.pem")));

    assertThatThrownBy(
            () ->
                ModelVerifier.forKey(upstream)
                    .verify(vector.resolve("signme-1"), edited, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("embeds another public key");
  }

  @Test
  void verify_payloadModified_throws() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode bundle = (ObjectNode) mapper.readTree(sign());
    ObjectNode envelope = (ObjectNode) bundle.get("dsseEnvelope");
    String payload =
        new String(
            Base64.getDecoder().decode(envelope.get("payload").asText()), StandardCharsets.UTF_8);
    envelope.put(
        "payload",
        Base64.getEncoder()
            .encodeToString(
                payload.replace("\"model\"", "\"other\"").getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> verify(mapper.writeValueAsBytes(bundle)))
        .hasMessageContaining("invalid signature");
  }

  @Test
  void verify_payloadTypeModified_throws() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode bundle = (ObjectNode) mapper.readTree(sign());
    ((ObjectNode) bundle.get("dsseEnvelope")).put("payloadType", "application/json");
    assertThatThrownBy(() -> verify(mapper.writeValueAsBytes(bundle)))
        .hasMessageContaining("unsupported DSSE payload type");
  }

  @Test
  void verify_malformedJson_throws() throws Exception {
    byte[] bundle = sign();
    byte[] truncated = java.util.Arrays.copyOf(bundle, bundle.length - 1);
    assertThatThrownBy(() -> verify(truncated)).hasMessageContaining("malformed bundle");
  }

  @Test
  void verify_bundleAtSizeLimit_verifies() throws Exception {
    byte[] bundle = sign();
    ModelVerifier.forKey(keys.getPublic(), new SigningLimits(bundle.length, 10))
        .verify(model, bundle, List.of());
  }

  @Test
  void verify_bundleOneByteOverSizeLimit_throws() throws Exception {
    byte[] bundle = sign();
    assertThatThrownBy(
            () ->
                ModelVerifier.forKey(keys.getPublic(), new SigningLimits(bundle.length - 1, 10))
                    .verify(model, bundle, List.of()))
        .hasMessageContaining("larger than");
  }

  @Test
  void compute_filesAtLimit_succeeds() throws Exception {
    assertThat(ModelManifest.compute(model, List.of(), new SigningLimits(1024, 2)).resources())
        .hasSize(2);
  }

  @Test
  void compute_filesOverLimit_throws() {
    assertThatThrownBy(() -> ModelManifest.compute(model, List.of(), new SigningLimits(1024, 1)))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void verify_signatureFileInsideModel_isIgnored() throws Exception {
    Path sig = model.resolve("model.sig");
    Files.write(sig, sign());
    ModelVerifier.forKey(keys.getPublic()).verify(model, sig, List.of());
  }
}
