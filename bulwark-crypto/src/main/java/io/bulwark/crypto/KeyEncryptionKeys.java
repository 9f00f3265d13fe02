package io.bulwark.crypto;

import io.bulwark.crypto.internal.TinkKeysetKeyEncryptionKey;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/** Factories for the built-in {@link KeyEncryptionKey} providers. */
public final class KeyEncryptionKeys {
  private KeyEncryptionKeys() {}

  /**
   * The embedded default: a Tink AEAD keyset (AES256_GCM) kept in cleartext JSON at {@code file},
   * protected only by file permissions. Suitable for a single machine whose disk is not shared;
   * prefer an HSM or KMS provider when backups or disks leave your control.
   *
   * <p>If {@code file} does not exist, a new keyset is generated and written with mode 0600,
   * atomically, never replacing an existing file (a missing parent directory is created with mode
   * 0700). If it exists, it is loaded. Key ids have the form {@code local:} followed by the primary
   * key's Tink id in eight hex digits.
   *
   * @throws IOException if the file cannot be read or written, is readable or writable by group or
   *     others, is a symbolic link, or is larger than 64 KiB
   * @throws GeneralSecurityException if the file is not a Tink JSON keyset, or a key in it is not
   *     AES-256-GCM
   */
  public static KeyEncryptionKey localKeyset(Path file)
      throws IOException, GeneralSecurityException {
    return TinkKeysetKeyEncryptionKey.loadOrCreate(file);
  }
}
