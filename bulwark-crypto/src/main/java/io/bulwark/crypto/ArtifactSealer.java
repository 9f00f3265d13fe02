package io.bulwark.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * Envelope encryption of model artifacts: every artifact is encrypted with a fresh data key, and
 * the data key is wrapped by a key-encryption key that never leaves its provider.
 *
 * <p>Two associated-data inputs bind an artifact to its identity. {@code artifactAssociatedData} is
 * bound into the ciphertext stream (for example model name and version); {@code keyAssociatedData}
 * is bound into the key wrapping (for example the same identity plus the artifact's digest, known
 * only once the stream ends). Opening with either one different fails.
 *
 * <p>Implementations are thread-safe; each {@link SealingOutputStream} is used by one thread.
 */
public interface ArtifactSealer {

  /** The largest plaintext {@link #open} can return: the largest Java array. */
  long MAX_PLAINTEXT_BYTES = Integer.MAX_VALUE - 16;

  /**
   * Starts sealing one artifact into {@code ciphertextSink}. See {@link SealingOutputStream} for
   * the protocol; closing the returned stream closes {@code ciphertextSink}.
   *
   * @throws IOException if the sink fails
   * @throws GeneralSecurityException if a data key cannot be generated
   */
  SealingOutputStream seal(OutputStream ciphertextSink, byte[] artifactAssociatedData)
      throws IOException, GeneralSecurityException;

  /**
   * Decrypts and authenticates a whole sealed artifact into memory; plaintext never touches disk.
   * Returns only if every byte is authentic and the stream is complete. Reads {@code sealed} to its
   * end but does not close it.
   *
   * @param maxPlaintextBytes the largest plaintext to accept, at most {@link #MAX_PLAINTEXT_BYTES}
   * @throws ArtifactIntegrityException if the key does not unwrap with {@code keyAssociatedData},
   *     or the ciphertext is modified, truncated, extended or bound to other {@code
   *     artifactAssociatedData}
   * @throws io.bulwark.core.LimitExceededException if the plaintext is longer than {@code
   *     maxPlaintextBytes} ({@code limits.max_model_bytes})
   * @throws IOException if reading {@code sealed} fails
   */
  byte[] open(
      InputStream sealed,
      WrappedKey key,
      byte[] artifactAssociatedData,
      byte[] keyAssociatedData,
      long maxPlaintextBytes)
      throws ArtifactIntegrityException, IOException;

  /**
   * Decrypts and authenticates a whole sealed artifact whose plaintext length was recorded when it
   * was sealed, straight into one array of exactly that length: no buffer is grown or copied.
   * Returns only if every byte is authentic, the stream is complete, and it held exactly {@code
   * plaintextBytes} bytes. Reads {@code sealed} until it ends or proves longer than recorded, and
   * does not close it.
   *
   * <p>Each range of plaintext is passed to {@code observer}, in order and on the calling thread,
   * as soon as it has been authenticated and written into the array that will be returned, so a
   * caller can digest the plaintext while it is decrypted instead of reading it again afterwards.
   * Every range is authentic under the key and {@code artifactAssociatedData}, but only a normal
   * return proves the stream complete: a caller must not act on what it observed until then. On any
   * failure the array is zeroed before this method throws.
   *
   * @param plaintextBytes the plaintext's recorded length, at most {@link #MAX_PLAINTEXT_BYTES}
   * @throws ArtifactIntegrityException as {@link #open}, and with {@link
   *     ArtifactIntegrityException#PLAINTEXT_LONGER_THAN_RECORDED} or {@link
   *     ArtifactIntegrityException#PLAINTEXT_SHORTER_THAN_RECORDED} if an authentic stream holds
   *     more or fewer bytes than {@code plaintextBytes}
   * @throws IOException if reading {@code sealed} fails
   */
  byte[] openExactly(
      InputStream sealed,
      WrappedKey key,
      byte[] artifactAssociatedData,
      byte[] keyAssociatedData,
      long plaintextBytes,
      PlaintextObserver observer)
      throws ArtifactIntegrityException, IOException;

  /** Sees the plaintext of {@link #openExactly} as it is authenticated. */
  @FunctionalInterface
  interface PlaintextObserver {
    /**
     * Called once per range, in order: {@code plaintext[offset, offset + length)} is authentic and
     * will not change. Must not write to {@code plaintext}. An exception it throws ends the open
     * and reaches its caller unchanged.
     */
    void authenticated(byte[] plaintext, int offset, int length);
  }

  /**
   * Re-wraps a data key under the key-encryption key's current primary version, for rotation: the
   * data key is unwrapped by whichever enabled version wrapped it and wrapped again, in memory; the
   * sealed artifact is neither read nor changed, and its ciphertext stays valid with the returned
   * key. Store the result in place of {@code wrapped} (the old one keeps working until its version
   * is disabled).
   *
   * @param keyAssociatedData the same bytes the key was wrapped with; bound to the new key too
   * @throws GeneralSecurityException if {@code wrapped} does not unwrap with {@code
   *     keyAssociatedData} (modified, other associated data, unknown or disabled version), holds
   *     something other than a data key of this sealer, or the provider refuses to wrap
   * @throws io.bulwark.core.UnavailableException if the key-encryption key's provider cannot be
   *     reached
   */
  WrappedKey rewrap(WrappedKey wrapped, byte[] keyAssociatedData) throws GeneralSecurityException;
}
