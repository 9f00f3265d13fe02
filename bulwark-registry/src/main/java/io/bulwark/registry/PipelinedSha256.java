package io.bulwark.registry;

import io.bulwark.core.Digests;
import io.bulwark.crypto.ArtifactSealer;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * SHA-256 of plaintext that is being decrypted, computed on a thread of its own: while the opening
 * thread decrypts the next range, this one digests the range before it. On two or more free cores
 * opening then takes about as long as decrypting alone instead of decrypting plus hashing; on one
 * busy core it costs what hashing inline would, plus one thread start.
 *
 * <p>The digest is only ever read after the whole stream was authenticated and {@link #finish}
 * called, so it covers exactly the bytes that are returned. Used by one opening thread.
 */
final class PipelinedSha256 implements ArtifactSealer.PlaintextObserver {
  /** A range of the plaintext array; a negative length marks the end of the input. */
  private static final class Range {
    final byte[] array;
    final int offset;
    final int length;

    Range(byte[] array, int offset, int length) {
      this.array = array;
      this.offset = offset;
      this.length = length;
    }
  }

  private static final Range END = new Range(new byte[0], 0, -1);

  // Unbounded, yet small: one entry per decrypted chunk of 1 MiB.
  private final BlockingQueue<Range> ranges = new LinkedBlockingQueue<>();
  private final FutureTask<byte[]> digest;
  private boolean finished;

  private PipelinedSha256() {
    MessageDigest sha256 = Digests.sha256();
    digest =
        new FutureTask<>(
            () -> {
              while (true) {
                Range r = ranges.take();
                if (r.length < 0) {
                  return sha256.digest();
                }
                sha256.update(r.array, r.offset, r.length);
              }
            });
  }

  /** Starts the digesting thread; call {@link #finish} whatever happens to the open. */
  static PipelinedSha256 start() {
    PipelinedSha256 pipeline = new PipelinedSha256();
    Thread.ofPlatform().daemon().name("bulwark-artifact-digest").start(pipeline.digest);
    return pipeline;
  }

  @Override
  public void authenticated(byte[] plaintext, int offset, int length) {
    if (finished) {
      throw new IllegalStateException("the digest is already finished");
    }
    // The queue's hand-off orders the decrypting thread's writes before the digesting thread's
    // reads of the same range; the range is never written again.
    ranges.add(new Range(plaintext, offset, length));
  }

  /** Ends the input; the digesting thread stops after the ranges already handed over. */
  void finish() {
    if (!finished) {
      finished = true;
      ranges.add(END);
    }
  }

  /**
   * Waits for the SHA-256 of every range handed over before {@link #finish}.
   *
   * @throws InterruptedIOException if the calling thread is interrupted while it waits
   */
  byte[] await() throws InterruptedIOException {
    if (!finished) {
      throw new IllegalStateException("finish the digest first");
    }
    try {
      return digest.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while digesting a model artifact");
    } catch (ExecutionException e) {
      throw new IllegalStateException("digesting a model artifact failed", e.getCause());
    }
  }
}
