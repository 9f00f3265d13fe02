package io.bulwark.crypto;

import io.bulwark.core.ConflictException;

/**
 * Thrown by {@link io.bulwark.crypto.spi.KeyEncryptionKey#rotate()} and {@link
 * io.bulwark.crypto.spi.KeyEncryptionKey#disable(String)} when the provider's key versions are not
 * managed from Bulwark: for example AWS KMS, which rotates its key material itself (enable
 * automatic rotation on the KMS key) while its key id, and every wrapped key, stays valid. Nothing
 * was changed when this is thrown. A conflict with the provider's state, answered as such (409).
 */
public final class KeyRotationUnsupportedException extends ConflictException {
  private static final long serialVersionUID = 1L;

  public KeyRotationUnsupportedException(String message) {
    super(message);
  }
}
