package io.bulwark.scanning.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A minimal reader of the protocol-buffers wire format over a window of a byte array, used instead
 * of a general protobuf runtime so that hostile input meets as little code as possible.
 *
 * <p>Guarantees: every length is checked against the bytes actually left in the window before it is
 * used, so nothing is allocated or skipped on the strength of a declared length; varints longer
 * than ten bytes or overflowing 64 bits, group wire types, field number 0 and truncated input are
 * refused with {@link ProtobufFormatException}. Nesting is the caller's business: the reader is
 * flat and each {@link #readMessage()} returns a reader over a strictly smaller window.
 */
final class ProtobufReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final byte[] buffer;
  private final int end;
  private int position;

  ProtobufReader(byte[] buffer) {
    this(buffer, 0, buffer.length);
  }

  private ProtobufReader(byte[] buffer, int start, int end) {
    this.buffer = buffer;
    this.position = start;
    this.end = end;
  }

  boolean hasMore() {
    return position < end;
  }

  /**
   * Reads the next tag: the field number shifted left by three, or'ed with the wire type. Only wire
   * types 0, 1, 2 and 5 are accepted; groups (3, 4) were deprecated before ONNX existed.
   */
  int readTag() throws ProtobufFormatException {
    long tag = readVarint();
    if (tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
      throw new ProtobufFormatException("invalid field number");
    }
    int wireType = (int) tag & 7;
    if (wireType != VARINT
        && wireType != FIXED64
        && wireType != LENGTH_DELIMITED
        && wireType != FIXED32) {
      throw new ProtobufFormatException("unsupported wire type " + wireType);
    }
    return (int) tag;
  }

  static int fieldNumber(int tag) {
    return tag >>> 3;
  }

  static int wireType(int tag) {
    return tag & 7;
  }

  long readVarint() throws ProtobufFormatException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= end) {
        throw new ProtobufFormatException("truncated varint");
      }
      int b = buffer[position++] & 0xff;
      if (shift == 63 && b > 1) {
        // the tenth byte may only carry the 64th bit
        throw new ProtobufFormatException("varint overflows 64 bits");
      }
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new ProtobufFormatException("varint longer than ten bytes");
  }

  /** Reads a length-delimited field's payload as a reader over its window. */
  ProtobufReader readMessage() throws ProtobufFormatException {
    int length = readLength();
    ProtobufReader nested = new ProtobufReader(buffer, position, position + length);
    position += length;
    return nested;
  }

  /** Reads a length-delimited field as strict UTF-8; malformed UTF-8 is a format error. */
  String readString() throws ProtobufFormatException {
    int length = readLength();
    int start = position;
    position += length;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buffer, start, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtobufFormatException("string is not UTF-8");
    }
  }

  /** Skips the payload of a field whose tag has just been read. */
  void skip(int tag) throws ProtobufFormatException {
    switch (wireType(tag)) {
      case VARINT -> readVarint();
      case FIXED64 -> advance(8);
      case FIXED32 -> advance(4);
      case LENGTH_DELIMITED -> advance(readLength());
      default -> throw new ProtobufFormatException("unsupported wire type");
    }
  }

  /** Checks that {@code tag} has {@code wireType}; a field of the wrong type is malformed. */
  static void expect(int tag, int wireType) throws ProtobufFormatException {
    if (wireType(tag) != wireType) {
      throw new ProtobufFormatException(
          "field " + fieldNumber(tag) + " has wire type " + wireType(tag));
    }
  }

  private int readLength() throws ProtobufFormatException {
    long length = readVarint();
    if (length < 0 || length > end - position) {
      throw new ProtobufFormatException("length exceeds the remaining bytes");
    }
    return (int) length;
  }

  private void advance(int count) throws ProtobufFormatException {
    if (count > end - position) {
      throw new ProtobufFormatException("truncated field");
    }
    position += count;
  }
}
