package io.bulwark.crypto.spi;

import io.bulwark.crypto.KeyRotationUnsupportedException;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.WrappedKey;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * A key-encryption key (KEK): wraps and unwraps the data keys that encrypt model artifacts. The key
 * itself never leaves its provider (a local keyset file, a PKCS#11 token, a cloud KMS); only data
 * keys travel through this interface.
 *
 * <p>A KEK has versions ({@link #versions()}). One is primary and wraps every new data key; older
 * enabled versions still unwrap what they wrapped, so that {@link #rotate()} needs no downtime and
 * re-encrypts no payload: callers re-wrap each data key under the new primary ({@link
 * io.bulwark.crypto.ArtifactSealer#rewrap}) and may then {@link #disable} the old version.
 *
 * <p>Guarantees every provider must give:
 *
 * <ul>
 *   <li>{@link #wrap} is an AEAD: the result hides the data key and authenticates both the data key
 *       and {@code associatedData}. Wrapping the same key twice gives different bytes. The returned
 *       {@link WrappedKey#kekId()} names the version that actually wrapped, even while another
 *       thread rotates.
 *   <li>{@link #unwrap} returns the data key only if {@code wrapped} was produced by an enabled
 *       version of this KEK with exactly the same {@code associatedData}; on any mismatch,
 *       tampering, unknown or disabled version it throws {@link GeneralSecurityException}.
 *   <li>If the provider cannot be reached (HSM offline, KMS timeout), it throws {@link
 *       io.bulwark.core.UnavailableException} instead, so that an outage is never reported as
 *       tampering.
 *   <li>{@link #wrap} and {@link #unwrap} running on other threads during {@link #rotate()} or
 *       {@link #disable} succeed, with either the old or the new primary.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface KeyEncryptionKey {

  /**
   * A stable, non-secret identifier of the version currently used by {@link #wrap}, prefixed by the
   * provider, for example {@code local:1a2b3c4d}. Recorded beside every wrapped key for auditing
   * and routing; it is not a secret and not an authenticator. Changes when {@link #rotate()}
   * succeeds.
   */
  String keyId();

  /**
   * Encrypts and authenticates {@code plaintextKey} with the primary version, binding {@code
   * associatedData}.
   *
   * @return the wrapped key, tagged with the id of the version that wrapped it
   * @throws GeneralSecurityException if the provider refuses to wrap
   */
  WrappedKey wrap(byte[] plaintextKey, byte[] associatedData) throws GeneralSecurityException;

  /**
   * Reverses {@link #wrap}, with the version that wrapped {@code wrapped} (providers that cannot
   * tell versions apart from the ciphertext route by {@link WrappedKey#kekId()}).
   *
   * @throws GeneralSecurityException if {@code wrapped} was not produced by an enabled version of
   *     this key, was modified, or was bound to different {@code associatedData}
   */
  byte[] unwrap(WrappedKey wrapped, byte[] associatedData) throws GeneralSecurityException;

  /**
   * Every version the provider knows, the primary among them; in the provider's order (oldest first
   * where it knows the order).
   */
  List<KeyVersion> versions();

  /**
   * Creates a new key inside the provider, makes it the primary used by {@link #wrap}, keeps every
   * older version usable for {@link #unwrap}, and persists the change durably before returning, so
   * a restarted process wraps with the new key too. Concurrent wraps and unwraps keep working.
   *
   * @return the new primary's key id
   * @throws KeyRotationUnsupportedException if this provider's versions are not managed from
   *     Bulwark (nothing is changed)
   * @throws IOException if the change cannot be persisted (the old primary stays in use)
   * @throws GeneralSecurityException if the provider refuses to create a key
   */
  default String rotate() throws IOException, GeneralSecurityException {
    throw new KeyRotationUnsupportedException(
        "key-encryption key " + keyId() + " cannot be rotated from Bulwark");
  }

  /**
   * Makes a non-primary version unable to unwrap, durably: data keys still wrapped by it can no
   * longer be opened. Re-wrap them first. Disabling a version that is already disabled does
   * nothing. Whether this can be undone depends on the provider (see its factory).
   *
   * @throws io.bulwark.core.NotFoundException if no version has this id
   * @throws io.bulwark.core.ConflictException if {@code keyId} is the primary
   * @throws KeyRotationUnsupportedException if this provider's versions are not managed from
   *     Bulwark (nothing is changed)
   * @throws IOException if the change cannot be persisted (nothing is changed)
   * @throws GeneralSecurityException if the provider refuses
   */
  default void disable(String keyId) throws IOException, GeneralSecurityException {
    throw new KeyRotationUnsupportedException(
        "key-encryption key " + keyId() + " cannot be rotated from Bulwark");
  }
}
