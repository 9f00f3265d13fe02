package io.bulwark.crypto;

import java.util.Arrays;

/**
 * A data key wrapped by a key-encryption key: what the registry stores beside a sealed artifact.
 * Not secret (it is ciphertext), but meaningless without the KEK.
 *
 * @param kekId {@link io.bulwark.crypto.spi.KeyEncryptionKey#keyId()} of the KEK that wrapped it: 1
 *     to {@value #MAX_KEK_ID_LENGTH} printable ASCII characters without spaces
 * @param bytes the wrapped key, 1 to {@value #MAX_WRAPPED_BYTES} bytes; copied in and out
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals/hashCode compare contents
public record WrappedKey(String kekId, byte[] bytes) {
  /** Longest accepted {@link #kekId()}; a cloud KMS key ARN fits comfortably. */
  public static final int MAX_KEK_ID_LENGTH = 256;

  /** Largest accepted wrapped key; Tink's wrapped data keyset is about 160 bytes. */
  public static final int MAX_WRAPPED_BYTES = 16 * 1024;

  public WrappedKey {
    if (kekId.isEmpty() || kekId.length() > MAX_KEK_ID_LENGTH) {
      throw new IllegalArgumentException(
          "kekId must have 1 to " + MAX_KEK_ID_LENGTH + " characters");
    }
    for (int i = 0; i < kekId.length(); i++) {
      char c = kekId.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("kekId must be printable ASCII without spaces");
      }
    }
    if (bytes.length == 0 || bytes.length > MAX_WRAPPED_BYTES) {
      throw new IllegalArgumentException(
          "wrapped key must have 1 to " + MAX_WRAPPED_BYTES + " bytes");
    }
    bytes = bytes.clone();
  }

  /** Returns a copy of the wrapped key. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey other
        && kekId.equals(other.kekId)
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * kekId.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "WrappedKey[kekId=" + kekId + ", " + bytes.length + " bytes]";
  }
}
