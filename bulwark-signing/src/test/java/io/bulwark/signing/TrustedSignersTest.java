package io.bulwark.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedSignersTest {
  @TempDir Path dir;

  private KeyPair alice;
  private KeyPair bob;
  private byte[] bundle;
  private String digest;

  @BeforeEach
  void signArtifact() throws Exception {
    alice = ModelVerifierTest.p256();
    bob = ModelVerifierTest.p256();
    Path artifact = dir.resolve("model.onnx");
    Files.writeString(artifact, "onnx bytes");
    digest = ModelVerifierArtifactTest.sha256(Files.readAllBytes(artifact));
    bundle = ModelSigner.withKey(bob.getPrivate(), bob.getPublic()).sign(artifact, List.of());
  }

  @Test
  void verifyArtifact_secondSignerAccepts_returnsItsResult() throws Exception {
    TrustedSigners signers =
        TrustedSigners.of(
            ModelVerifier.forKey(alice.getPublic()), ModelVerifier.forKey(bob.getPublic()));

    VerifiedModel result = signers.verifyArtifact(bundle, digest);

    assertThat(result.signer())
        .isEqualTo("key sha256:" + ModelVerifierArtifactTest.sha256(bob.getPublic().getEncoded()));
  }

  @Test
  void verifyArtifact_noSignerAccepts_throwsWithEachReason() throws Exception {
    TrustedSigners signers = TrustedSigners.of(ModelVerifier.forKey(alice.getPublic()));

    assertThatThrownBy(() -> signers.verifyArtifact(bundle, digest))
        .isInstanceOf(VerificationException.class)
        .hasMessageStartingWith(
            "no trusted signer accepts the signature: [1] the bundle's public key hint names another key");
  }

  @Test
  void verifyArtifact_rightSignerWrongDigest_throws() throws Exception {
    TrustedSigners signers = TrustedSigners.of(ModelVerifier.forKey(bob.getPublic()));

    assertThatThrownBy(() -> signers.verifyArtifact(bundle, "0".repeat(64)))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("not the signed digest");
  }

  @Test
  void verifyArtifact_manySigners_reasonIsBounded() throws Exception {
    List<ModelVerifier> many =
        new ArrayList<>(Collections.nCopies(200, ModelVerifier.forKey(alice.getPublic())));
    TrustedSigners signers = new TrustedSigners(many);

    assertThatThrownBy(() -> signers.verifyArtifact(bundle, digest))
        .isInstanceOf(VerificationException.class)
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .hasSize(TrustedSigners.MAX_REASON_CHARS)
                    .endsWith("..."));
  }

  @Test
  void constructor_empty_throws() {
    assertThatThrownBy(() -> new TrustedSigners(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verifiers_isImmutableCopy() {
    List<ModelVerifier> list = new ArrayList<>(List.of(ModelVerifier.forKey(alice.getPublic())));
    TrustedSigners signers = new TrustedSigners(list);
    list.add(ModelVerifier.forKey(bob.getPublic()));

    assertThat(signers.verifiers()).hasSize(1);
    assertThatThrownBy(() -> signers.verifiers().add(ModelVerifier.forKey(bob.getPublic())))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
