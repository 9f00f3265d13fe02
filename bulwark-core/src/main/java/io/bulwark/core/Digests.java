package io.bulwark.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, which every JDK must provide, without a checked exception at each use. */
public final class Digests {
  private Digests() {}

  /** A new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** The SHA-256 of {@code data}. */
  public static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  /** The SHA-256 of {@code data}, as lower-case hex. */
  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256(data));
  }
}
