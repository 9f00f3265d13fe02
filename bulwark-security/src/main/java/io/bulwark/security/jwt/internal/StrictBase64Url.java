package io.bulwark.security.jwt.internal;

import java.util.Base64;

/**
 * Base64url without padding exactly as RFC 7515 section 2 defines it: only the 64 alphabet
 * characters, no {@code =}, no whitespace, no impossible length, and zero unused bits in the last
 * character, so that every byte string has exactly one accepted encoding.
 */
final class StrictBase64Url {
  private StrictBase64Url() {}

  static boolean isAlphabet(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }

  private static int value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }

  /**
   * Decodes {@code s[from, to)}.
   *
   * @throws IllegalArgumentException with a short reason if the encoding is not canonical
   */
  static byte[] decode(String s, int from, int to) {
    int n = to - from;
    for (int i = from; i < to; i++) {
      if (!isAlphabet(s.charAt(i))) {
        throw new IllegalArgumentException("not base64url");
      }
    }
    int rest = n % 4;
    if (rest == 1) {
      throw new IllegalArgumentException("impossible base64url length");
    }
    if (rest != 0) {
      int last = value(s.charAt(to - 1));
      int unusedMask = rest == 2 ? 0x0f : 0x03;
      if ((last & unusedMask) != 0) {
        throw new IllegalArgumentException("non-canonical base64url");
      }
    }
    return Base64.getUrlDecoder().decode(s.substring(from, to));
  }

  static byte[] decode(String s) {
    return decode(s, 0, s.length());
  }
}
