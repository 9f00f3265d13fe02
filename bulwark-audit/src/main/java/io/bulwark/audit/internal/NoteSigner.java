package io.bulwark.audit.internal;

import io.bulwark.audit.NoteVerifierKey;
import io.bulwark.core.InsecureSecretAccess;
import io.bulwark.core.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Signs notes with an Ed25519 key. The private key's text form is Go's {@code
 * PRIVATE+KEY+<name>+<key id>+base64(0x01 || seed)}, so standard tools can read it.
 */
public final class NoteSigner {
  private static final String PREFIX = "PRIVATE+KEY+";

  private final SecretBytes seed;
  private final NoteVerifierKey verifierKey;

  private NoteSigner(String name, SecretBytes seed) {
    this.seed = seed;
    byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed.toByteArray(InsecureSecretAccess.get()), 0, pub, 0);
    this.verifierKey = NoteVerifierKey.of(name, pub);
  }

  /** A fresh key called {@code name}. */
  public static NoteSigner generate(String name, SecureRandom random) {
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    random.nextBytes(seed);
    return new NoteSigner(name, SecretBytes.copyOf(seed));
  }

  /**
   * Parses {@code PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>}.
   *
   * @throws IllegalArgumentException if malformed or the key id does not match
   */
  public static NoteSigner parse(String text) {
    String t = text.strip();
    if (!t.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a signed-note private key");
    }
    String[] parts = t.substring(PREFIX.length()).split("\\+", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a signed-note private key");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("signed-note private key is not base64", e);
    }
    if (key.length != 33 || key[0] != NoteVerifierKey.ED25519) {
      throw new IllegalArgumentException("signed-note private key is not Ed25519");
    }
    byte[] seed = new byte[32];
    System.arraycopy(key, 1, seed, 0, 32);
    NoteSigner signer = new NoteSigner(parts[0], SecretBytes.copyOf(seed));
    if (!signer.verifierKey.keyIdHex().equals(parts[1])) {
      throw new IllegalArgumentException("signed-note private key has the wrong key id");
    }
    return signer;
  }

  /** The private key text; handle as a secret. */
  public byte[] encodePrivate() {
    byte[] key = new byte[33];
    key[0] = NoteVerifierKey.ED25519;
    System.arraycopy(seed.toByteArray(InsecureSecretAccess.get()), 0, key, 1, 32);
    String s =
        PREFIX
            + verifierKey.name()
            + "+"
            + verifierKey.keyIdHex()
            + "+"
            + Base64.getEncoder().encodeToString(key)
            + "\n";
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public NoteVerifierKey verifierKey() {
    return verifierKey;
  }

  /** The signed note for {@code text}, which must end with a newline. */
  public String sign(String text) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("note text must end with a newline");
    }
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    byte[] blob = new byte[4 + Ed25519.SIGNATURE_SIZE];
    ByteBuffer.wrap(blob).putInt(verifierKey.keyId());
    Ed25519.sign(
        seed.toByteArray(InsecureSecretAccess.get()), 0, message, 0, message.length, blob, 4);
    return text
        + "\n\u2014 "
        + verifierKey.name()
        + " "
        + Base64.getEncoder().encodeToString(blob)
        + "\n";
  }
}
