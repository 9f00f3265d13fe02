package io.bulwark.server.internal;

import io.bulwark.core.SecureFiles;
import io.bulwark.signing.ModelSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The demo's publisher: an EC P-256 key in the data directory ({@code keys/demo-signer.pem}, mode
 * 0600, and its public key beside it) that signs the demo model, so that even the demo takes the
 * signed path. Trusted only when the server runs with {@code --demo}.
 */
public final class DemoSigner {
  public static final String PRIVATE_FILE = "demo-signer.pem";
  public static final String PUBLIC_FILE = "demo-signer.pub.pem";

  private final KeyPair pair;

  private DemoSigner(KeyPair pair) {
    this.pair = pair;
  }

  /** Loads the demo signer from {@code keys}, creating it on first use. */
  public static DemoSigner loadOrCreate(Path keys) throws IOException, GeneralSecurityException {
    Path priv = keys.resolve(PRIVATE_FILE);
    Path pub = keys.resolve(PUBLIC_FILE);
    KeyFactory ec = KeyFactory.getInstance("EC");
    if (Files.exists(priv) && Files.exists(pub)) {
      if (SecureFiles.isExposed(priv)) {
        throw new IOException(priv + " is readable by group or others; fix its mode to 0600");
      }
      PrivateKey p = ec.generatePrivate(new PKCS8EncodedKeySpec(der(priv, "PRIVATE KEY")));
      PublicKey q = ec.generatePublic(new X509EncodedKeySpec(der(pub, "PUBLIC KEY")));
      return new DemoSigner(new KeyPair(q, p));
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    SecureFiles.writePrivate(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), true);
    SecureFiles.writePrivate(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
    return new DemoSigner(pair);
  }

  /** An OMS bundle over the single artifact {@code fileName} whose SHA-256 is {@code sha256}. */
  public byte[] sign(String fileName, String sha256) throws GeneralSecurityException {
    return ModelSigner.withKey(pair.getPrivate(), pair.getPublic()).signArtifact(fileName, sha256);
  }

  private static byte[] pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] der(Path file, String type) throws IOException {
    String text = new String(SecureFiles.readLimited(file, 16 * 1024), StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new IOException(file + " is not a " + type + " PEM file");
    }
    return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
  }
}
