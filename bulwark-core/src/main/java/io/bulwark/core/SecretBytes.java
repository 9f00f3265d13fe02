package io.bulwark.core;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Secret material (API key secrets, key bytes) that never shows itself: {@link #toString()} is
 * redacted, equality is constant-time, and the bytes are reachable only with an {@link
 * InsecureSecretAccess} token.
 */
public final class SecretBytes {
  private final byte[] bytes;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes}; the caller may wipe its array afterwards. */
  public static SecretBytes copyOf(byte[] bytes) {
    return new SecretBytes(bytes.clone());
  }

  /** Returns a copy of the secret bytes. */
  public byte[] toByteArray(InsecureSecretAccess access) {
    if (access == null) {
      throw new NullPointerException("access");
    }
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }

  /** Compares in time independent of where the contents differ. */
  public boolean equalsSecretBytes(SecretBytes other) {
    return MessageDigest.isEqual(bytes, other.bytes);
  }

  /** Overwrites the secret with zeros. */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public String toString() {
    return "SecretBytes[redacted, " + bytes.length + " bytes]";
  }
}
