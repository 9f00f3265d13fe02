package io.bulwark.server.internal.oip;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * An unsynchronized byte sink whose contents can be taken out with spare room at the end, so that a
 * response's binary tensor data can follow its JSON with a single copy.
 */
final class GrowableBuffer extends OutputStream {
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private byte[] buf;
  private int count;

  GrowableBuffer(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  int size() {
    return count;
  }

  /** The bytes written so far, in an array with {@code extra} more bytes of room after them. */
  byte[] toByteArray(int extra) {
    if ((long) count + extra > MAX_ARRAY) {
      throw new IllegalStateException("response too large");
    }
    int length = count + extra;
    return length == buf.length ? buf : Arrays.copyOf(buf, length);
  }

  private void ensure(int more) {
    long needed = (long) count + more;
    if (needed <= buf.length) {
      return;
    }
    if (needed > MAX_ARRAY) {
      throw new IllegalStateException("response too large");
    }
    buf = Arrays.copyOf(buf, (int) Math.min(MAX_ARRAY, Math.max(needed, 2L * buf.length)));
  }
}
