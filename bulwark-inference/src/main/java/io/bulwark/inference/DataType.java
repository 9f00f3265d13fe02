package io.bulwark.inference;

import java.util.Optional;

/**
 * Tensor element types, named as in the Open Inference Protocol. Fixed-size types are stored
 * little-endian, {@link #BOOL} as one byte (0 or 1), {@link #BYTES} as a list of byte strings.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  BF16(2),
  BYTES(-1);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element, or -1 for {@link #BYTES}, whose elements vary in length. */
  public int byteSize() {
    return byteSize;
  }

  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /** The protocol's name for this type, for example {@code "FP32"}. */
  public String wireName() {
    return name();
  }

  /** Parses a protocol type name exactly (case-sensitive, as the protocol defines them). */
  public static Optional<DataType> fromWireName(String name) {
    for (DataType t : values()) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
