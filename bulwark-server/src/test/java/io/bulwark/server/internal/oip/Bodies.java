package io.bulwark.server.internal.oip;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Small helpers to write request bodies in tests. */
final class Bodies {
  private Bodies() {}

  /** JSON written with single quotes for readability; every {@code '} becomes {@code "}. */
  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static ByteBuffer le(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  static byte[] array(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    d.rewind();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** BYTES elements in the binary form: a 4-byte little-endian length, then the bytes. */
  static byte[] bytesElements(byte[]... elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] e : elements) {
      out.writeBytes(le(4).putInt(e.length).array());
      out.writeBytes(e);
    }
    return out.toByteArray();
  }
}
