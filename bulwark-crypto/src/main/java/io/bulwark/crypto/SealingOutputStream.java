package io.bulwark.crypto;

import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * Receives an artifact's plaintext and writes its ciphertext, encrypted under a data key generated
 * for this artifact alone.
 *
 * <p>Use it in three steps: write the plaintext; {@link #close()} it, which writes the final
 * ciphertext segment and closes the ciphertext sink; then call {@link #wrappedKey(byte[])} to get
 * the data key wrapped by the key-encryption key. The split lets the caller bind facts it learns
 * only once the whole plaintext has passed (such as the artifact's digest) into the key wrapping.
 *
 * <p>If a write or the close fails, the data key is discarded and the ciphertext written so far can
 * never be opened. A stream that is never followed by {@link #wrappedKey(byte[])} is likewise lost
 * for good. Not thread-safe.
 */
public abstract class SealingOutputStream extends OutputStream {

  protected SealingOutputStream() {}

  /**
   * Wraps this artifact's data key with the key-encryption key, binding {@code keyAssociatedData},
   * and then forgets the data key.
   *
   * <p>Succeeds at most once. A failed wrap (for example a KMS outage) may be retried.
   *
   * @throws IllegalStateException if the stream is not yet closed, has failed, or its key was
   *     already wrapped
   * @throws GeneralSecurityException if the key-encryption key refuses to wrap
   */
  public abstract WrappedKey wrappedKey(byte[] keyAssociatedData) throws GeneralSecurityException;
}
