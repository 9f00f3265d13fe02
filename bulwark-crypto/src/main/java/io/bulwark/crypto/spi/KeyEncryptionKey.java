package io.bulwark.crypto.spi;

import java.security.GeneralSecurityException;

/**
 * A key-encryption key (KEK): wraps and unwraps the data keys that encrypt model artifacts. The key
 * itself never leaves its provider (a local keyset file, a PKCS#11 token, a cloud KMS); only data
 * keys travel through this interface.
 *
 * <p>Guarantees every provider must give:
 *
 * <ul>
 *   <li>{@link #wrap} is an AEAD: the result hides the data key and authenticates both the data key
 *       and {@code associatedData}. Wrapping the same key twice gives different bytes.
 *   <li>{@link #unwrap} returns the data key only if {@code wrapped} was produced by this KEK (or
 *       an older version of it that the provider still holds) with exactly the same {@code
 *       associatedData}; on any mismatch or tampering it throws {@link GeneralSecurityException}.
 *   <li>If the provider cannot be reached (HSM offline, KMS timeout), it throws {@link
 *       io.bulwark.core.UnavailableException} instead, so that an outage is never reported as
 *       tampering.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface KeyEncryptionKey {

  /**
   * A stable, non-secret identifier of the key currently used by {@link #wrap}, prefixed by the
   * provider, for example {@code local:1a2b3c4d}. Recorded beside every wrapped key for auditing
   * and routing; it is not a secret and not an authenticator.
   */
  String keyId();

  /**
   * Encrypts and authenticates {@code plaintextKey}, binding {@code associatedData}.
   *
   * @throws GeneralSecurityException if the provider refuses to wrap
   */
  byte[] wrap(byte[] plaintextKey, byte[] associatedData) throws GeneralSecurityException;

  /**
   * Reverses {@link #wrap}.
   *
   * @throws GeneralSecurityException if {@code wrapped} was not produced by this key, was modified,
   *     or was bound to different {@code associatedData}
   */
  byte[] unwrap(byte[] wrapped, byte[] associatedData) throws GeneralSecurityException;
}
