package io.bulwark.crypto;

import io.bulwark.core.BulwarkException;

/**
 * Thrown by {@link io.bulwark.crypto.spi.KeyEncryptionKey#rotate()} and {@link
 * io.bulwark.crypto.spi.KeyEncryptionKey#disable(String)} when the provider's key versions are not
 * managed from Bulwark: for example AWS KMS, which rotates its key material itself (enable
 * automatic rotation on the KMS key) while its key id, and every wrapped key, stays valid. Nothing
 * was changed when this is thrown.
 */
public final class KeyRotationUnsupportedException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public KeyRotationUnsupportedException(String message) {
    super(message);
  }
}
