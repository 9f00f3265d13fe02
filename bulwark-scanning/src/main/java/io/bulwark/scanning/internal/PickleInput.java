package io.bulwark.scanning.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads a pickle stream of known length and enforces FRAME boundaries as CPython's unframer does:
 * an opcode and its argument lie wholly inside the current frame or wholly outside any frame, and a
 * new frame starts only where the previous one ended. Declared lengths are checked against the
 * bytes that remain before anything is allocated.
 */
final class PickleInput {
  private final InputStream in;
  private final long length;
  private long position;
  private long frameEnd = -1;

  PickleInput(InputStream in, long length) {
    this.in = in;
    this.length = length;
  }

  long position() {
    return position;
  }

  long remaining() {
    return length - position;
  }

  /** Leaves any exhausted frame, then reads one opcode byte. */
  int readOpcode() throws IOException, PickleMalformedException {
    if (frameEnd >= 0 && position == frameEnd) {
      frameEnd = -1;
    }
    return readU1();
  }

  /** Starts a frame of {@code size} bytes; the FRAME opcode's argument has just been read. */
  void startFrame(long size) throws PickleMalformedException {
    if (frameEnd >= 0 && position < frameEnd) {
      throw new PickleMalformedException(position, "new frame before the end of the current one");
    }
    if (size < 0 || size > remaining()) {
      throw new PickleMalformedException(position, "frame longer than the remaining stream");
    }
    frameEnd = size == 0 ? -1 : position + size;
  }

  /** Leaves the current frame; it must be exhausted (used after STOP). */
  void endOfPickle() throws PickleMalformedException {
    if (frameEnd >= 0 && position != frameEnd) {
      throw new PickleMalformedException(position, "pickle ends before the end of its frame");
    }
    frameEnd = -1;
  }

  private void need(long n) throws PickleMalformedException {
    if (n < 0 || n > remaining()) {
      throw new PickleMalformedException(position, "truncated: argument longer than the stream");
    }
    if (frameEnd >= 0 && position + n > frameEnd) {
      throw new PickleMalformedException(position, "opcode straddles the end of its frame");
    }
  }

  int readU1() throws IOException, PickleMalformedException {
    need(1);
    int b = in.read();
    if (b < 0) {
      throw new EOFException("stream shorter than declared");
    }
    position++;
    return b;
  }

  /** Reads an unsigned little-endian integer of {@code n} (at most 8) bytes. */
  long readLe(int n) throws IOException, PickleMalformedException {
    need(n);
    byte[] b = readExactly(n);
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  /**
   * Reads {@code n} bytes; returns them if {@code n <= keepMax}, else skips them and returns null,
   * so a declared length never makes us allocate more than {@code keepMax}.
   */
  byte @Nullable [] readBytes(long n, int keepMax) throws IOException, PickleMalformedException {
    need(n);
    if (n <= keepMax) {
      return readExactly((int) n);
    }
    in.skipNBytes(n);
    position += n;
    return null;
  }

  /** Reads a line ending in {@code \n} (not returned), of at most {@code maxLength} bytes. */
  String readLine(int maxLength) throws IOException, PickleMalformedException {
    String line = readLine(maxLength, false);
    if (line == null) {
      throw new PickleMalformedException(position, "line longer than " + maxLength + " bytes");
    }
    return line;
  }

  /**
   * Reads a line of any length up to the end of the frame or stream; returns it if it has at most
   * {@code keepMax} bytes, else null (the bytes beyond are not kept).
   */
  @Nullable String readLongLine(int keepMax) throws IOException, PickleMalformedException {
    return readLine(keepMax, true);
  }

  private @Nullable String readLine(int keepMax, boolean longAllowed)
      throws IOException, PickleMalformedException {
    StringBuilder line = new StringBuilder();
    boolean kept = true;
    while (true) {
      long limit = frameEnd >= 0 ? frameEnd : length;
      if (position >= limit) {
        throw new PickleMalformedException(
            position,
            frameEnd >= 0 ? "line straddles the end of its frame" : "truncated: unterminated line");
      }
      int b = readU1();
      if (b == '\n') {
        return kept ? line.toString() : null;
      }
      if (kept && line.length() >= keepMax) {
        if (!longAllowed) {
          return null;
        }
        kept = false;
        line.setLength(0);
      }
      if (kept) {
        line.append((char) b); // latin-1: callers decode further where it matters
      }
    }
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException("stream shorter than declared");
    }
    position += n;
    return b;
  }

  static String latin1ToUtf8(String latin1) {
    return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }
}
