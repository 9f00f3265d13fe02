package io.bulwark.server.internal.oip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Strict UTF-8 (RFC 3629): no overlong forms, no encoded surrogates, nothing above U+10FFFF.
 * Jackson's parser accepts the first and last of these, so request JSON is checked here first.
 */
final class Utf8 {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  private Utf8() {}

  /** Whether all of {@code b} is well-formed UTF-8. */
  static boolean isValid(byte[] b) {
    return firstInvalid(b, 0, b.length) < 0;
  }

  /** The index of the first byte in {@code b[from, to)} that is not well-formed UTF-8, or -1. */
  static int firstInvalid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      // JSON is mostly ASCII: skip it eight bytes at a time.
      if (i + 8 <= to && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
        i += 8;
        continue;
      }
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xFF;
      if (c >= 0xC2 && c <= 0xDF) {
        if (i + 1 >= to || !cont(b[i + 1])) {
          return i;
        }
        i += 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        if (i + 2 >= to || !cont(b[i + 1]) || !cont(b[i + 2])) {
          return i;
        }
        int c1 = b[i + 1] & 0xFF;
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
          return i; // overlong, or a UTF-16 surrogate
        }
        i += 3;
      } else if (c >= 0xF0 && c <= 0xF4) {
        if (i + 3 >= to || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) {
          return i;
        }
        int c1 = b[i + 1] & 0xFF;
        if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
          return i; // overlong, or above U+10FFFF
        }
        i += 4;
      } else {
        return i;
      }
    }
    return -1;
  }

  /**
   * Encodes {@code s} as UTF-8, or returns null if it holds an unpaired surrogate (which JSON's
   * {@code \\u} escapes can express but UTF-8 cannot).
   */
  static byte @Nullable [] encode(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return null;
        }
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean cont(byte b) {
    return (b & 0xC0) == 0x80;
  }
}
