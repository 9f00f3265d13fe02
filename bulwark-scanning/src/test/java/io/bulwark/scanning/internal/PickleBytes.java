package io.bulwark.scanning.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds pickle streams byte by byte for tests, so no test depends on Python. */
final class PickleBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static PickleBytes proto(int version) {
    return new PickleBytes().op(PickleOpcodes.PROTO).raw(version);
  }

  static PickleBytes protocol0() {
    return new PickleBytes();
  }

  PickleBytes op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleBytes raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  PickleBytes raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  PickleBytes line(String text) {
    out.writeBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
    return this;
  }

  PickleBytes global(String module, String name) {
    return op(PickleOpcodes.GLOBAL).line(module).line(name);
  }

  PickleBytes shortUnicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op(PickleOpcodes.SHORT_BINUNICODE).raw(b.length).raw(b);
  }

  PickleBytes le(long value, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
    return this;
  }

  /** FRAME whose length is the number of bytes written after it by {@code body}. */
  PickleBytes frame(PickleBytes body) {
    byte[] b = body.bytes();
    return op(PickleOpcodes.FRAME).le(b.length, 8).raw(b);
  }

  PickleBytes stop() {
    return op(PickleOpcodes.STOP);
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
