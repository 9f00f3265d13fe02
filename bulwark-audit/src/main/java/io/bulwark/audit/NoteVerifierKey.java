package io.bulwark.audit;

import io.bulwark.core.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An Ed25519 signed-note verifier key in the C2SP signed-note / Go {@code
 * golang.org/x/mod/sumdb/note} text form {@code <name>+<8 hex key id>+<base64(0x01 || public
 * key)>}. The key id is the first four bytes of {@code SHA-256(name || 0x0A || 0x01 || public
 * key)}; {@link #parse} recomputes it and refuses a key whose id does not match.
 *
 * @param name the key name, which for the audit log is the log's origin
 * @param keyId the four-byte key id, big-endian
 * @param publicKey the 32-byte Ed25519 public key
 */
@SuppressWarnings("ArrayRecordComponent") // cloned in and out; equals compares contents
public record NoteVerifierKey(String name, int keyId, byte[] publicKey) {
  /** The signature type byte of Ed25519 in signed notes. */
  public static final byte ED25519 = 0x01;

  /** Longest key string accepted. */
  public static final int MAX_CHARS = 1024;

  public NoteVerifierKey {
    checkName(name);
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
    }
    publicKey = publicKey.clone();
    if (keyId != keyId(name, publicKey)) {
      throw new IllegalArgumentException("key id does not match the name and public key");
    }
  }

  /** The key for {@code name} and {@code publicKey}, with its key id computed. */
  public static NoteVerifierKey of(String name, byte[] publicKey) {
    checkName(name);
    return new NoteVerifierKey(name, keyId(name, publicKey), publicKey);
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * Parses a verifier key string.
   *
   * @throws IllegalArgumentException if it is malformed, not Ed25519, or its key id is wrong
   */
  public static NoteVerifierKey parse(String text) {
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException("verifier key is longer than " + MAX_CHARS + " chars");
    }
    int first = text.indexOf('+');
    int second = first < 0 ? -1 : text.indexOf('+', first + 1);
    if (first < 0 || second < 0) {
      throw new IllegalArgumentException("verifier key must be <name>+<key id>+<key>");
    }
    String name = text.substring(0, first);
    String hex = text.substring(first + 1, second);
    String b64 = text.substring(second + 1);
    if (hex.length() != 8
        || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new IllegalArgumentException("verifier key id must be 8 lowercase hex digits");
    }
    byte[] key = strictBase64(b64, "verifier key");
    if (key.length != 33 || key[0] != ED25519) {
      throw new IllegalArgumentException("verifier key is not an Ed25519 key");
    }
    byte[] pub = new byte[32];
    System.arraycopy(key, 1, pub, 0, 32);
    int id = (int) Long.parseLong(hex, 16);
    return new NoteVerifierKey(name, id, pub);
  }

  /** The key string {@code <name>+<key id>+<base64(0x01 || public key)>}. */
  public String encode() {
    byte[] key = new byte[33];
    key[0] = ED25519;
    System.arraycopy(publicKey, 0, key, 1, 32);
    return name + "+" + keyIdHex() + "+" + Base64.getEncoder().encodeToString(key);
  }

  /** The key id as 8 lowercase hex digits. */
  public String keyIdHex() {
    return HexFormat.of().toHexDigits(keyId);
  }

  @Override
  public String toString() {
    return encode();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteVerifierKey k
        && k.name.equals(name)
        && k.keyId == keyId
        && MessageDigest.isEqual(k.publicKey, publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + keyId;
  }

  /** {@code SHA-256(name || 0x0A || 0x01 || publicKey)[:4]} as a big-endian int. */
  public static int keyId(String name, byte[] publicKey) {
    MessageDigest d = Digests.sha256();
    d.update(name.getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0x0a);
    d.update(ED25519);
    d.update(publicKey);
    byte[] h = d.digest();
    return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
  }

  /**
   * Checks a key name as signed notes require: non-empty UTF-8 without spaces, {@code +} or control
   * characters.
   */
  public static void checkName(String name) {
    if (name.isEmpty() || name.length() > 255) {
      throw new IllegalArgumentException("a key name must be 1..255 characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20
          || c == 0x7f
          || c == '+'
          || Character.isWhitespace(c)
          || Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "a key name must not contain spaces, '+', or control characters");
      }
    }
  }

  /** Decodes standard base64 and refuses any spelling but the canonical, padded one. */
  static byte[] strictBase64(String b64, String what) {
    byte[] out;
    try {
      out = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64", e);
    }
    if (!Base64.getEncoder().encodeToString(out).equals(b64)) {
      throw new IllegalArgumentException(what + " is not canonical base64");
    }
    return out;
  }
}
