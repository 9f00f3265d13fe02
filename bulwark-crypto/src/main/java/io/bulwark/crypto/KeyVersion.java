package io.bulwark.crypto;

import java.util.Objects;

/**
 * One version of a key-encryption key as its provider reports it: an id that a {@link WrappedKey}
 * records, and whether the version wraps, only unwraps, or neither. Not secret.
 *
 * @param keyId the version's id, in the same form as {@link WrappedKey#kekId()}: 1 to {@value
 *     WrappedKey#MAX_KEK_ID_LENGTH} printable ASCII characters without spaces
 * @param status what the version is used for
 */
public record KeyVersion(String keyId, Status status) {

  /** What a key version may do. */
  public enum Status {
    /** Wraps every new data key; also unwraps. Exactly one version of a provider is primary. */
    PRIMARY,
    /** Unwraps data keys wrapped while it was primary; wraps nothing new. */
    ENABLED,
    /** Unwraps nothing: data keys still wrapped by it can no longer be opened. */
    DISABLED
  }

  public KeyVersion {
    Objects.requireNonNull(status, "status");
    // WrappedKey's checks define what a key id may be; constructing one applies them.
    new WrappedKey(keyId, new byte[1]);
  }
}
