package io.bulwark.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OSSF model-signing-spec v1.0 test vectors (valid key and certificate bundles, invalid ones).
 */
class SpecVectorsTest {
  @TempDir Path dir;

  private Path spec;
  private Path keys;
  private Path model;

  @BeforeEach
  void copyModel() throws Exception {
    Path oms = ModelVerifierTest.oms();
    spec = oms.resolve("ossf-model-signing-spec/test-vectors/v1.0");
    keys = oms.resolve("model-transparency-scripts-tests/keys/certificate");
    // The spec's bundles sign the two files of the upstream v1.1.0 key model, under the name
    // "model" and without the signature file; a temporary copy gives exactly that directory.
    Path source = oms.resolve("model-transparency-scripts-tests/v1.1.0-elliptic-key");
    model = dir.resolve("model");
    Files.createDirectories(model);
    for (String f : List.of("signme-1", "signme-2", "ignore-me")) {
      Files.copy(source.resolve(f), model.resolve(f));
    }
  }

  private ModelVerifier keyVerifier() throws Exception {
    return ModelVerifier.forKey(
        SigningKeys.publicKey(Files.readString(keys.resolve("signing-key-pub.pem"))));
  }

  @Test
  void verify_validKeyBundle_verifies() throws Exception {
    VerifiedModel result =
        keyVerifier()
            .verify(model, Files.readAllBytes(spec.resolve("valid/key.bundle.json")), List.of());
    assertThat(result.manifest().resources()).hasSize(2);
  }

  @Test
  void verify_validCertificateBundle_verifies() throws Exception {
    ModelVerifier.forCertificateAuthorities(
            SigningKeys.certificates(Files.readString(keys.resolve("ca-cert.pem"))))
        .verify(
            model, Files.readAllBytes(spec.resolve("valid/certificate.bundle.json")), List.of());
  }

  @Test
  void verify_invalidBundles_throw() throws Exception {
    int refused = 0;
    for (String folder : List.of("invalid", "invalid-payload")) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(spec.resolve(folder))) {
        for (Path f : files) {
          byte[] bundle = Files.readAllBytes(f);
          ModelVerifier verifier = keyVerifier();
          assertThatThrownBy(() -> verifier.verify(model, bundle, List.of()))
              .as(f.toString())
              .isInstanceOf(VerificationException.class);
          refused++;
        }
      }
    }
    assertThat(refused).isEqualTo(5);
  }
}
