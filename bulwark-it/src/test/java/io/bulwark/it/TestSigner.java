package io.bulwark.it;

import io.bulwark.signing.ModelSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;

/** A model publisher with an EC P-256 key, for tests: its public key is in a PEM file. */
record TestSigner(KeyPair pair, Path publicKeyFile) {

  static TestSigner generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = g.generateKeyPair();
      Path dir = Files.createTempDirectory("bulwark-test-signer");
      Path pub = dir.resolve("signer.pub.pem");
      String pem =
          "-----BEGIN PUBLIC KEY-----\n"
              + Base64.getMimeEncoder(64, new byte[] {'\n'})
                  .encodeToString(pair.getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n";
      Files.writeString(pub, pem, StandardCharsets.US_ASCII);
      return new TestSigner(pair, pub);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the private key as PKCS#8 {@code PRIVATE KEY} PEM carrying its public point, as {@code
   * openssl genpkey} does (the JDK's own encoding leaves the public point out).
   */
  void writePrivateKeyPem(Path file) throws IOException {
    var spki =
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
    var sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            256,
            ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS(),
            spki.getPublicKeyData(),
            spki.getAlgorithm().getParameters());
    byte[] der =
        new org.bouncycastle.asn1.pkcs.PrivateKeyInfo(spki.getAlgorithm(), sec1).getEncoded();
    Files.writeString(
        file,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END PRIVATE KEY-----\n",
        StandardCharsets.US_ASCII);
  }

  /** An OMS bundle over {@code model} as a single file named {@code model.onnx}. */
  byte[] sign(byte[] model) throws GeneralSecurityException {
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    return ModelSigner.withKey(pair.getPrivate(), pair.getPublic())
        .signArtifact("model.onnx", sha256);
  }
}
