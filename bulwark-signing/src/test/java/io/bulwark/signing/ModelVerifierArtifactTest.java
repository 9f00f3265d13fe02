package io.bulwark.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ModelVerifier#verifyArtifact}: a bundle over one artifact known only by its digest. */
class ModelVerifierArtifactTest {
  @TempDir Path dir;

  private KeyPair keys;
  private Path artifact;
  private String digest;

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @BeforeEach
  void createArtifact() throws Exception {
    keys = ModelVerifierTest.p256();
    artifact = dir.resolve("model.onnx");
    Files.writeString(artifact, "onnx bytes");
    digest = sha256(Files.readAllBytes(artifact));
  }

  private byte[] signArtifact() throws Exception {
    return ModelSigner.withKey(keys.getPrivate(), keys.getPublic()).sign(artifact, List.of());
  }

  @Test
  void verifyArtifact_signedSingleFile_returnsManifestAndKeySigner() throws Exception {
    VerifiedModel result =
        ModelVerifier.forKey(keys.getPublic()).verifyArtifact(signArtifact(), digest);

    assertThat(result.manifest().resources())
        .containsExactly(new ModelManifest.Resource(".", digest));
    assertThat(result.signer()).isEqualTo("key sha256:" + sha256(keys.getPublic().getEncoded()));
  }

  @Test
  void verifyArtifact_upperCaseDigest_accepts() throws Exception {
    VerifiedModel result =
        ModelVerifier.forKey(keys.getPublic())
            .verifyArtifact(signArtifact(), digest.toUpperCase(Locale.ROOT));

    assertThat(result.manifest().resources()).hasSize(1);
  }

  @Test
  void verifyArtifact_otherDigest_throws() throws Exception {
    String other = sha256("other bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThatThrownBy(
            () -> ModelVerifier.forKey(keys.getPublic()).verifyArtifact(signArtifact(), other))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not the signed digest");
  }

  @Test
  void verifyArtifact_malformedDigest_throws() throws Exception {
    byte[] bundle = signArtifact();

    assertThatThrownBy(() -> ModelVerifier.forKey(keys.getPublic()).verifyArtifact(bundle, "abc"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verifyArtifact_otherKey_throws() throws Exception {
    byte[] bundle = signArtifact();

    assertThatThrownBy(
            () ->
                ModelVerifier.forKey(ModelVerifierTest.p256().getPublic())
                    .verifyArtifact(bundle, digest))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("hint names another key");
  }

  @Test
  void verifyArtifact_directoryOfOneFile_stillOneResource_accepts() throws Exception {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("w.bin"), "weights");
    byte[] bundle = ModelSigner.withKey(keys.getPrivate(), keys.getPublic()).sign(model, List.of());

    VerifiedModel result =
        ModelVerifier.forKey(keys.getPublic())
            .verifyArtifact(
                bundle, sha256("weights".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    assertThat(result.manifest().resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("w.bin");
  }

  @Test
  void verifyArtifact_twoFiles_throws() throws Exception {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("a.bin"), "onnx bytes");
    Files.writeString(model.resolve("b.bin"), "more");
    byte[] bundle = ModelSigner.withKey(keys.getPrivate(), keys.getPublic()).sign(model, List.of());

    assertThatThrownBy(() -> ModelVerifier.forKey(keys.getPublic()).verifyArtifact(bundle, digest))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("covers 2 files");
  }

  @Test
  void verifyArtifact_certificateForm_signerIsSubject() throws Exception {
    Path keysDir =
        ModelVerifierTest.oms().resolve("model-transparency-scripts-tests/keys/certificate");
    KeyPair upstream = SigningKeys.keyPair(Files.readString(keysDir.resolve("signing-key.pem")));
    List<java.security.cert.X509Certificate> chain = new java.util.ArrayList<>();
    chain.addAll(
        SigningKeys.certificates(Files.readString(keysDir.resolve("signing-key-cert.pem"))));
    chain.addAll(SigningKeys.certificates(Files.readString(keysDir.resolve("int-ca-cert.pem"))));
    byte[] bundle =
        ModelSigner.withCertificateChain(upstream.getPrivate(), chain).sign(artifact, List.of());

    VerifiedModel result =
        ModelVerifier.forCertificateAuthorities(
                SigningKeys.certificates(Files.readString(keysDir.resolve("ca-cert.pem"))))
            .verifyArtifact(bundle, digest);

    assertThat(result.signer()).isEqualTo(chain.get(0).getSubjectX500Principal().getName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.3.1-elliptic-key", "v1.0.0-elliptic-key"})
  void verifyArtifact_upstreamSingleFileVector_accepts(String vector) throws Exception {
    Path base = ModelVerifierTest.oms().resolve("model-transparency-scripts-tests");
    ModelVerifier verifier =
        ModelVerifier.forKey(
            SigningKeys.publicKey(
                Files.readString(base.resolve("keys/certificate/signing-key-pub.pem"))));
    byte[] bundle = Files.readAllBytes(base.resolve(vector + "/model.sig"));
    String fileDigest = sha256(Files.readAllBytes(base.resolve(vector + "/signme-1")));

    VerifiedModel result = verifier.verifyArtifact(bundle, fileDigest);

    assertThat(result.manifest().resources())
        .containsExactly(new ModelManifest.Resource(".", fileDigest));
    assertThat(result.signer()).startsWith("key sha256:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.3.1-elliptic-key", "v1.0.0-elliptic-key"})
  void verifyArtifact_upstreamSingleFileVectorChangedByte_throws(String vector) throws Exception {
    Path base = ModelVerifierTest.oms().resolve("model-transparency-scripts-tests");
    ModelVerifier verifier =
        ModelVerifier.forKey(
            SigningKeys.publicKey(
                Files.readString(base.resolve("keys/certificate/signing-key-pub.pem"))));
    byte[] bundle = Files.readAllBytes(base.resolve(vector + "/model.sig"));
    byte[] content = Files.readAllBytes(base.resolve(vector + "/signme-1"));
    content[0] ^= 1;

    assertThatThrownBy(() -> verifier.verifyArtifact(bundle, sha256(content)))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not the signed digest");
  }

  @Test
  void verifyArtifact_upstreamDirectoryVector_throws() throws Exception {
    Path base = ModelVerifierTest.oms().resolve("model-transparency-scripts-tests");
    ModelVerifier verifier =
        ModelVerifier.forKey(
            SigningKeys.publicKey(
                Files.readString(base.resolve("keys/certificate/signing-key-pub.pem"))));
    byte[] bundle = Files.readAllBytes(base.resolve("v1.1.0-elliptic-key/model.sig"));

    assertThatThrownBy(() -> verifier.verifyArtifact(bundle, digest))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("exactly one artifact");
  }

  @Test
  void signArtifact_byDigestOnly_verifiesLikeSigningTheFile() throws Exception {
    ModelSigner signer = ModelSigner.withKey(keys.getPrivate(), keys.getPublic());
    byte[] byDigest = signer.signArtifact("model.onnx", digest);

    VerifiedModel viaDigest =
        ModelVerifier.forKey(keys.getPublic()).verifyArtifact(byDigest, digest);
    VerifiedModel viaFile =
        ModelVerifier.forKey(keys.getPublic()).verify(artifact, byDigest, List.of());

    assertThat(viaDigest.manifest()).isEqualTo(viaFile.manifest());
    assertThat(viaFile.manifest().modelName()).isEqualTo("model.onnx");
  }

  @Test
  void signArtifact_malformedDigest_throws() {
    ModelSigner signer = ModelSigner.withKey(keys.getPrivate(), keys.getPublic());

    assertThatThrownBy(() -> signer.signArtifact("model.onnx", "XYZ"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
