package io.bulwark.crypto.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * PEM encoding of one DER object, working on byte arrays so that private keys can be wiped after
 * use (a {@code String} cannot be).
 */
final class Pem {
  private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, new byte[] {'\n'});

  private Pem() {}

  static byte[] encode(String type, byte[] der) {
    byte[] header = ("-----BEGIN " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    byte[] footer = ("\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    byte[] body = ENCODER.encode(der);
    try {
      byte[] out = new byte[header.length + body.length + footer.length];
      System.arraycopy(header, 0, out, 0, header.length);
      System.arraycopy(body, 0, out, header.length, body.length);
      System.arraycopy(footer, 0, out, header.length + body.length, footer.length);
      return out;
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  /**
   * Decodes the single PEM block of {@code type} that makes up {@code content} (surrounding
   * whitespace allowed, nothing else).
   *
   * @throws IllegalArgumentException if {@code content} is anything else
   */
  static byte[] decodeSingle(String type, byte[] content) {
    byte[] header = ("-----BEGIN " + type + "-----").getBytes(StandardCharsets.US_ASCII);
    byte[] footer = ("-----END " + type + "-----").getBytes(StandardCharsets.US_ASCII);
    int start = skipWhitespace(content, 0);
    int end = content.length;
    while (end > start && isWhitespace(content[end - 1])) {
      end--;
    }
    if (!regionEquals(content, start, header) || end - start < header.length + footer.length) {
      throw new IllegalArgumentException("not a PEM " + type);
    }
    if (!regionEquals(content, end - footer.length, footer)) {
      throw new IllegalArgumentException("not a PEM " + type);
    }
    byte[] buffer = new byte[end - start];
    int length = 0;
    for (int i = start + header.length; i < end - footer.length; i++) {
      byte b = content[i];
      if (isWhitespace(b)) {
        continue;
      }
      if (!isBase64(b)) {
        Arrays.fill(buffer, (byte) 0);
        throw new IllegalArgumentException("not a PEM " + type);
      }
      buffer[length++] = b;
    }
    if (length == 0) {
      throw new IllegalArgumentException("empty PEM " + type);
    }
    byte[] text = Arrays.copyOf(buffer, length);
    Arrays.fill(buffer, (byte) 0);
    try {
      return Base64.getDecoder().decode(text);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  private static int skipWhitespace(byte[] content, int from) {
    int i = from;
    while (i < content.length && isWhitespace(content[i])) {
      i++;
    }
    return i;
  }

  private static boolean regionEquals(byte[] content, int offset, byte[] expected) {
    return offset >= 0
        && offset + expected.length <= content.length
        && Arrays.equals(content, offset, offset + expected.length, expected, 0, expected.length);
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  private static boolean isBase64(byte b) {
    return (b >= 'A' && b <= 'Z')
        || (b >= 'a' && b <= 'z')
        || (b >= '0' && b <= '9')
        || b == '+'
        || b == '/'
        || b == '=';
  }
}
